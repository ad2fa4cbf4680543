// `husk login/logout`, `husk image push` and pulls through mirrors, with dist/husk against
// three real registries (Debian docker-registry on 127.0.0.1): one without auth, one with
// htpasswd (Basic) auth, one with token auth from a token service of the test's own.
// Every push is pulled back into a fresh store and compared by image id; a multi-arch index
// made by skopeo is pulled with --all-platforms and pushed on as the same index.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Of } from "../../src/image/content-store.ts";
import { chainIds } from "../../src/image/layer-store.ts";
import { huskBin } from "../helpers/husk.ts";
import { assertNoLeaks, snapshotHost, type HostSnapshot } from "../helpers/leaks.ts";
import {
  MT,
  buildImage,
  buildIndex,
  ensureDockerRegistry,
  freePort,
  makeLayer,
  pushImage,
  startRegistry,
  startTokenServer,
  type BuiltImage,
  type TestRegistry,
  type TokenServer,
} from "../helpers/registry.ts";

const registryBin = ensureDockerRegistry();
const hasSkopeo = spawnSync("sh", ["-c", "command -v skopeo"]).status === 0;
const skip = "skip" in registryBin;
if (skip) console.warn(`image-push: skipped: ${(registryBin as { skip: string }).skip}`);

const USER = { username: "alice", password: "s3cret-pw" };
let plain: TestRegistry;
let basic: TestRegistry;
let token: TestRegistry;
let tokens: TokenServer;
let work = "";
let before: HostSnapshot;

/** dist/husk, asynchronously: the token service answers from this very process. */
async function husk(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) {
  const p = Bun.spawn([huskBin(), ...args], {
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, HUSK_REGISTRIES_CONF: join(work, "no-registries.json"), ...opts.env },
  });
  const killer = setTimeout(() => p.kill("SIGKILL"), 90_000);
  const [stdout, stderr, exitCode] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(killer);
  return { stdout, stderr, exitCode };
}
let dirs = 0;
const freshDir = (name: string) => {
  const d = join(work, `${name}-${dirs++}`);
  mkdirSync(d);
  return d;
};

// A 3-layer image with whiteouts: layer 2 deletes etc/motd and makes opt/a opaque.
const layers3 = [
  makeLayer({ "etc/hostname": "base\n", "etc/motd": "hello\n", "opt/a/x": "1" }),
  makeLayer({ "etc/.wh.motd": "", "opt/a/.wh..wh..opq": "", "opt/a/y": "2" }),
  makeLayer({ "bin/tool": "v3\n" }),
];
const three = buildImage({ layers: layers3 });
const threeId = sha256Of(three.config);

beforeAll(async () => {
  if (skip) return;
  before = snapshotHost();
  work = mkdtempSync("/tmp/husk-test-push-");
  writeFileSync(join(work, "no-registries.json"), "{}");
  const bin = (registryBin as { bin: string }).bin;
  tokens = startTokenServer({ users: { [USER.username]: USER.password }, dir: work });
  [plain, basic, token] = await Promise.all([startRegistry({ bin }), startRegistry({ bin, htpasswd: USER }), startRegistry({ bin, token: tokens.config })]);
  await pushImage(plain, "src/three", "1", three);
});

afterAll(async () => {
  if (skip) return;
  await Promise.all([plain?.stop(), basic?.stop(), token?.stop()]);
  tokens?.stop();
  rmSync(work, { recursive: true, force: true });
  assertNoLeaks(before);
});

/** Pull `ref` into a new data root and return the image id husk recorded. */
async function pullBack(ref: string, extra: string[] = []): Promise<{ id: string; data: string }> {
  const data = freshDir("pullback");
  const r = await husk(["image", "pull", "--data-root", data, "-q", ...extra, ref]);
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  return { id: r.stdout.trim(), data };
}

describe.skipIf(skip)("husk image push, login, logout", () => {
  let data = "";

  test("push without auth: blobs mounted from the repository the image came from, the manifest unchanged", async () => {
    data = freshDir("data");
    expect((await husk(["image", "pull", "--data-root", data, "-q", `${plain.host}/src/three:1`])).exitCode).toBe(0);
    const r = await husk(["image", "push", "--data-root", data, `${plain.host}/src/three:1`, `${plain.host}/copy/three:1`]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    for (const d of three.blobs) expect(r.stdout).toContain(`${d.slice(7, 19)}: mounted`);
    expect(r.stdout).not.toContain(": pushed");
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe(`${plain.host}/copy/three:1: digest: ${three.manifestDigest} size: ${three.manifest.length}`);
    expect((await pullBack(`${plain.host}/copy/three:1`)).id).toBe(threeId);
  });

  test("a second push finds every blob there; --quiet prints only the digest", async () => {
    const r = await husk(["push", "--data-root", data, `${plain.host}/src/three:1`]);
    expect(r.exitCode).toBe(0);
    for (const d of three.blobs) expect(r.stdout).toContain(`${d.slice(7, 19)}: exists`);
    const q = await husk(["push", "--data-root", data, "-q", `${plain.host}/src/three:1`, `${plain.host}/copy/three:2`]);
    expect(q.stdout).toBe(`${three.manifestDigest}\n`);
  });

  test("basic auth: wrong password refused (push --creds and login), login saves a 0600 docker auth file, push and pull use it", async () => {
    const dest = `${basic.host}/team/three:1`;
    const authfile = join(work, "auth", "config.json");
    const noCreds = await husk(["push", "--data-root", data, `${plain.host}/src/three:1`, dest, "--authfile", join(work, "absent.json")]);
    expect(noCreds.exitCode).toBe(1);
    expect(noCreds.stderr).toMatch(new RegExp(`^husk: [^\\n]*401[^\\n]*\\(hint: ${basic.host} requires authentication; give credentials for it\\)\\n$`));
    const wrongPush = await husk(["push", "--data-root", data, "--creds", `${USER.username}:nope`, `${plain.host}/src/three:1`, dest]);
    expect(wrongPush.exitCode).toBe(1);
    expect(wrongPush.stderr).toMatch(/^husk: [^\n]*401[^\n]*refused the credentials of alice[^\n]*\n$/);

    const wrong = await husk(["login", "--authfile", authfile, "-u", USER.username, "--password-stdin", basic.host], { stdin: "nope\n" });
    expect(wrong.stderr).toBe(`husk: login to ${basic.host} as alice: 401 the registry refused the credentials (hint: check the username and password)\n`);
    expect(wrong.exitCode).toBe(1);
    expect(() => statSync(authfile)).toThrow();

    const ok = await husk(["login", "--authfile", authfile, "-u", USER.username, "--password-stdin", basic.host], { stdin: `${USER.password}\n` });
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toBe(`Login Succeeded (${basic.host}, saved in ${authfile})\n`);
    expect(statSync(authfile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(authfile, "utf8"))).toEqual({ auths: { [basic.host]: { auth: Buffer.from(`${USER.username}:${USER.password}`).toString("base64") } } });

    const push = await husk(["push", "--data-root", data, `${plain.host}/src/three:1`, dest], { env: { REGISTRY_AUTH_FILE: authfile } });
    expect(push.stderr).toBe("");
    expect(push.exitCode).toBe(0);
    for (const d of three.blobs) expect(push.stdout).toContain(`${d.slice(7, 19)}: pushed`);
    expect(push.stdout).toContain(`digest: ${three.manifestDigest}`);

    const back = await pullBack(dest, ["--authfile", authfile]);
    expect(back.id).toBe(threeId);
    // The whiteouts came through in overlay form: a 0/0 char device, and the opaque marker consumed.
    const chains = chainIds(layers3.map((l) => sha256Of(Bun.gunzipSync(new Uint8Array(l)))));
    const diff2 = join(back.data, "layers", chains[1]!.slice(7), "diff");
    expect(lstatSync(join(diff2, "etc/motd")).isCharacterDevice()).toBe(true);
    expect(readFileSync(join(diff2, "opt/a/y"), "utf8")).toBe("2");
    expect(() => lstatSync(join(diff2, "opt/a/.wh..wh..opq"))).toThrow();

    const anon = await husk(["image", "pull", "--data-root", freshDir("anon"), "--authfile", join(work, "absent.json"), dest]);
    expect(anon.exitCode).toBe(1);
    expect(anon.stderr).toMatch(/^husk: [^\n]*401[^\n]*\n$/);

    const out = await husk(["logout", "--authfile", authfile, basic.host]);
    expect(out.stdout).toBe(`Removed login credentials for ${basic.host} from ${authfile}\n`);
    expect(JSON.parse(readFileSync(authfile, "utf8"))).toEqual({ auths: {} });
    expect((await husk(["logout", "--authfile", authfile, basic.host])).stdout).toBe(`Not logged in to ${basic.host}\n`);
  });

  test("token auth: login gets a token, push asks for pull,push scopes, a mount asks for the source's pull scope", async () => {
    const authfile = join(work, "token-auth.json");
    const wrong = await husk(["login", "--authfile", authfile, "-u", USER.username, "-p", "nope", token.host]);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toContain(`husk: login to ${token.host} as alice: the token service refused the credentials (hint: check the username and password)\n`);
    const ok = await husk(["login", "--authfile", authfile, "-u", USER.username, "--password-stdin", token.host], { stdin: USER.password });
    expect(ok.exitCode).toBe(0);
    expect(tokens.requests.at(-1)).toEqual({ scopes: [], account: "alice", granted: true });

    const push = await husk(["push", "--data-root", data, "--authfile", authfile, `${plain.host}/src/three:1`, `${token.host}/team/three:1`]);
    expect(push.stderr).toBe("");
    expect(push.exitCode).toBe(0);
    expect(push.stdout).toContain(`digest: ${three.manifestDigest}`);
    expect(tokens.requests.some((r) => r.account === "alice" && r.scopes.includes("repository:team/three:pull,push"))).toBe(true);

    // Pulled back into the same store, the image gets a name on this registry: a push to
    // another repository there mounts from it.
    const again = await husk(["pull", "--data-root", data, "--authfile", authfile, "-q", `${token.host}/team/three:1`]);
    expect(again.stdout.trim()).toBe(threeId);
    const mount = await husk(["push", "--data-root", data, "--authfile", authfile, `${token.host}/team/three:1`, `${token.host}/other/three:1`]);
    expect(mount.exitCode).toBe(0);
    for (const d of three.blobs) expect(mount.stdout).toContain(`${d.slice(7, 19)}: mounted`);
    expect(tokens.requests.some((r) => r.scopes.includes("repository:other/three:pull,push") && r.scopes.includes("repository:team/three:pull"))).toBe(true);
    expect((await pullBack(`${token.host}/other/three:1`, ["--authfile", authfile])).id).toBe(threeId);

    const anon = await husk(["pull", "--data-root", freshDir("anon"), "--authfile", join(work, "absent.json"), `${token.host}/team/three:1`]);
    expect(anon.exitCode).toBe(1);
    expect(anon.stderr).toMatch(/^husk: [^\n]*401[^\n]*requires authentication[^\n]*\n$/);
  });

  test("errors: a missing image, an unreachable registry, an id without a destination", async () => {
    const missing = await husk(["push", "--data-root", data, `${plain.host}/never/pulled:1`]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe(`husk: no such image: ${plain.host}/never/pulled:1 (hint: pull it first ('husk image pull'))\n`);
    const dead = `127.0.0.1:${freePort()}`;
    const unreachable = await husk(["push", "--data-root", data, `${plain.host}/src/three:1`, `${dead}/x/y:1`]);
    expect(unreachable.exitCode).toBe(1);
    expect(unreachable.stderr).toMatch(new RegExp(`^husk: ${dead}: ping: cannot reach http://${dead}: [^\\n]+\\(hint: is the registry running and reachable\\?\\)\\n$`));
    const byId = await husk(["push", "--data-root", data, threeId.slice(7, 19)]);
    expect(byId.exitCode).toBe(1);
    expect(byId.stderr).toMatch(/^husk: push [0-9a-f]{12}: an image id names no repository to push to \(hint: give a destination/);
    const unknownLogin = await husk(["login", "--authfile", join(work, "x.json"), "-u", "a", "-p", "b", dead]);
    expect(unknownLogin.exitCode).toBe(1);
    expect(unknownLogin.stderr.split("\n").filter(Boolean)).toEqual([
      "husk: warning: a password on the command line is visible to other users; use --password-stdin",
      expect.stringMatching(new RegExp(`^husk: ${dead}: ping: cannot reach`)),
    ]);
  });

  test("mirrors: tried in order, a dead one skipped with a warning, then the registry itself", async () => {
    const dead = `127.0.0.1:${freePort()}`;
    const conf = join(work, "registries.json");
    // The image's registry is unreachable; its mirrors are a dead one, then `plain`.
    writeFileSync(conf, JSON.stringify({ mirrors: { [dead]: [`127.0.0.1:${freePort()}`] } }));
    const r = await husk(["image", "pull", "--data-root", freshDir("mirror"), "-q", "--registry-mirror", `${dead}=${plain.host}`, `${dead}/src/three:1`], {
      env: { HUSK_REGISTRIES_CONF: conf },
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${threeId}\n`);
    const r2 = await husk(["image", "pull", "--data-root", freshDir("mirror"), "-q", `${plain.host}/src/three:1`], {
      env: { HUSK_REGISTRIES_CONF: conf },
    });
    expect(r2.exitCode).toBe(0);
    writeFileSync(conf, JSON.stringify({ mirrors: { [plain.host]: [dead] } }));
    const r3 = await husk(["image", "pull", "--data-root", freshDir("mirror"), "-q", `${plain.host}/src/three:1`], { env: { HUSK_REGISTRIES_CONF: conf } });
    expect(r3.exitCode).toBe(0);
    expect(r3.stdout).toBe(`${threeId}\n`);
    expect(r3.stderr).toMatch(new RegExp(`^husk: warning: mirror ${dead}: [^\\n]*cannot reach[^\\n]*; trying the next\\n$`));
  });

  /** An OCI layout directory holding `index` and its images, as skopeo reads it (`oci:DIR:TAG`). */
  function writeLayout(dir: string, index: Uint8Array, images: BuiltImage[], tag: string) {
    mkdirSync(join(dir, "blobs/sha256"), { recursive: true });
    const put = (b: Uint8Array) => writeFileSync(join(dir, "blobs/sha256", sha256Of(b).slice(7)), b);
    for (const img of images) [img.config, ...img.layers, img.manifest].forEach(put);
    put(index);
    writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    writeFileSync(
      join(dir, "index.json"),
      JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MT.ociIndex, digest: sha256Of(index), size: index.length, annotations: { "org.opencontainers.image.ref.name": tag } }] }),
    );
  }

  test.skipIf(!hasSkopeo)("multi-arch: an index skopeo pushed, pulled with --all-platforms, pushed on whole; each platform pulls back", async () => {
    const amd = buildImage({ layers: [makeLayer({ "arch": "amd64\n" }), layers3[2]!], architecture: "amd64" });
    const arm = buildImage({ layers: [makeLayer({ "arch": "arm64\n" }), layers3[2]!], architecture: "arm64", variant: "v8" });
    const index = buildIndex([
      { image: amd, architecture: "amd64" },
      { image: arm, architecture: "arm64", variant: "v8" },
    ]);
    const layout = freshDir("layout");
    writeLayout(layout, index, [amd, arm], "1");
    const sk = spawnSync("skopeo", ["copy", "--all", "--preserve-digests", "--dest-tls-verify=false", `oci:${layout}:1`, `docker://${plain.host}/multi/app:1`], { encoding: "utf8" });
    expect(sk.stderr).toBe("");
    expect(sk.status).toBe(0);

    const pulled = await husk(["pull", "--data-root", data, "--all-platforms", "-q", `${plain.host}/multi/app:1`]);
    expect(pulled.stderr).toBe("");
    expect(pulled.exitCode).toBe(0);
    const creds = `--creds=${USER.username}:${USER.password}`;
    const push = await husk(["push", "--data-root", data, creds, `${plain.host}/multi/app:1`, `${basic.host}/multi/app:2`]);
    expect(push.stderr).toBe("");
    expect(push.exitCode).toBe(0);
    expect(push.stdout).toContain("Pushed an index of 2 platforms: linux/amd64, linux/arm64/v8\n");
    expect(push.stdout.trimEnd().split("\n").at(-1)).toBe(`${basic.host}/multi/app:2: digest: ${sha256Of(index)} size: ${index.length}`);

    // skopeo reads back what husk pushed: the same index bytes.
    const raw = spawnSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `--creds=${USER.username}:${USER.password}`, `docker://${basic.host}/multi/app:2`]);
    expect(raw.status).toBe(0);
    expect(sha256Of(new Uint8Array(raw.stdout))).toBe(sha256Of(index));
    for (const [platform, img] of [["linux/amd64", amd], ["linux/arm64/v8", arm]] as const) {
      expect((await pullBack(`${basic.host}/multi/app:2`, [creds, "--platform", platform])).id).toBe(sha256Of(img.config));
    }

    // rm takes the other platforms' blobs too, and keeps the layer the 3-layer image shares.
    const rm = await husk(["image", "rm", "--data-root", data, `${plain.host}/multi/app:1`]);
    expect(rm.exitCode).toBe(0);
    const stored = (d: string) => existsSync(join(data, "blobs/sha256", d.slice(7)));
    for (const d of [arm.manifestDigest, ...arm.blobs.slice(0, 2), amd.manifestDigest, ...amd.blobs.slice(0, 2), sha256Of(index)]) expect(stored(d)).toBe(false);
    expect(stored(sha256Of(layers3[2]!))).toBe(true);
  });
});
