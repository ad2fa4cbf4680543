import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  authFilePath,
  credentialsSource,
  lookupCredentials,
  normalizeRegistryArg,
  parseCredsFlag,
  removeCredentials,
  storeCredentials,
} from "../../src/image/auth-file.ts";
import { HuskError } from "../../src/runtime/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "husk-authfile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("auth file location", () => {
  test("--authfile, then REGISTRY_AUTH_FILE, then DOCKER_CONFIG, then ~/.docker", () => {
    const env = { REGISTRY_AUTH_FILE: "/r/auth.json", DOCKER_CONFIG: "/d", HOME: "/h" };
    expect(authFilePath("/flag.json", env)).toBe("/flag.json");
    expect(authFilePath(undefined, env)).toBe("/r/auth.json");
    expect(authFilePath(undefined, { DOCKER_CONFIG: "/d", HOME: "/h" })).toBe("/d/config.json");
    expect(authFilePath(undefined, { HOME: "/h" })).toBe("/h/.docker/config.json");
  });
  test("registry arguments as people type them", () => {
    expect(normalizeRegistryArg(undefined)).toBe("docker.io");
    expect(normalizeRegistryArg("https://index.docker.io/v1/")).toBe("docker.io");
    expect(normalizeRegistryArg("http://127.0.0.1:5000/")).toBe("127.0.0.1:5000");
    expect(normalizeRegistryArg("registry.lan:5000")).toBe("registry.lan:5000");
  });
});

describe("store, look up, remove", () => {
  test("a new file: mode 0600 in a new 0700 dir, docker's shape, other keys kept on rewrite", () => {
    const file = join(dir, "new/sub/config.json");
    storeCredentials(file, "127.0.0.1:5000", { username: "alice", password: "p:ss" });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "new/sub")).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ auths: { "127.0.0.1:5000": { auth: b64("alice:p:ss") } } });
    expect(lookupCredentials(file, "127.0.0.1:5000")).toEqual({ username: "alice", password: "p:ss" });
    expect(lookupCredentials(file, "127.0.0.1:5001")).toBeUndefined();

    const body = JSON.parse(readFileSync(file, "utf8"));
    body.credHelpers = { "gcr.io": "gcloud" };
    body.auths["other:1"] = { auth: b64("bob:x"), email: "b@x" };
    writeFileSync(file, JSON.stringify(body));
    storeCredentials(file, "docker.io", { username: "carol", password: "y" });
    const after = JSON.parse(readFileSync(file, "utf8"));
    expect(after.credHelpers).toEqual({ "gcr.io": "gcloud" });
    expect(after.auths["other:1"]).toEqual({ auth: b64("bob:x"), email: "b@x" });
    expect(after.auths["https://index.docker.io/v1/"]).toEqual({ auth: b64("carol:y") });
    expect(lookupCredentials(file, "docker.io")).toEqual({ username: "carol", password: "y" });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    expect(removeCredentials(file, "docker.io")).toBe(true);
    expect(removeCredentials(file, "docker.io")).toBe(false);
    expect(lookupCredentials(file, "docker.io")).toBeUndefined();
    expect(lookupCredentials(file, "other:1")).toEqual({ username: "bob", password: "x" });
  });

  test("other spellings of a registry's key: URLs, podman's repository keys, username/password fields", () => {
    const file = join(dir, "spellings.json");
    writeFileSync(
      file,
      JSON.stringify({
        auths: {
          "reg.lan:5000/team/app": { auth: b64("scoped:1") },
          "https://reg.lan:5000/v2/": { auth: b64("wide:2") },
          "plain.lan": { username: "u", password: "p" },
        },
      }),
    );
    expect(lookupCredentials(file, "reg.lan:5000")).toEqual({ username: "wide", password: "2" });
    expect(lookupCredentials(file, "plain.lan")).toEqual({ username: "u", password: "p" });
    // A login replaces every spelling, so no stale entry can win later.
    storeCredentials(file, "reg.lan:5000", { username: "new", password: "3" });
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8")).auths).sort()).toEqual(["plain.lan", "reg.lan:5000"]);
  });

  test("a broken file or entry is a one-line error naming the file", () => {
    const file = join(dir, "broken.json");
    writeFileSync(file, "{not json");
    expect(() => lookupCredentials(file, "x")).toThrow(HuskError);
    expect(() => lookupCredentials(file, "x")).toThrow(/broken\.json: not valid JSON/);
    writeFileSync(file, JSON.stringify({ auths: { x: { auth: b64("nocolon") } } }));
    expect(() => lookupCredentials(file, "x")).toThrow(/entry for x is not base64 of user:password/);
  });
});

describe("--creds and the credentials a command uses", () => {
  test("parseCredsFlag", () => {
    expect(parseCredsFlag("u:p:q")).toEqual({ username: "u", password: "p:q" });
    expect(() => parseCredsFlag("nouser")).toThrow(/expected user:password/);
    expect(() => parseCredsFlag(":secret")).toThrow(/expected user:password, got ":…"/);
  });
  test("--creds for the named registry, the auth file for others", () => {
    const file = join(dir, "source.json");
    storeCredentials(file, "a:1", { username: "fromfile", password: "f" });
    storeCredentials(file, "b:1", { username: "other", password: "o" });
    const creds = credentialsSource({ authfile: file, creds: "flag:F", registry: "a:1" });
    expect(creds("a:1")).toEqual({ username: "flag", password: "F" });
    expect(creds("b:1")).toEqual({ username: "other", password: "o" });
    expect(creds("c:1")).toBeUndefined();
    expect(credentialsSource({ authfile: file })("a:1")).toEqual({ username: "fromfile", password: "f" });
    // No file at all: no credentials, no error.
    expect(credentialsSource({ authfile: join(dir, "absent.json") })("a:1")).toBeUndefined();
  });
});
