// Makes the README demo's busybox image as a plain rootfs tarball (from Debian's
// busybox-static, no network). Usage: bun packaging/demo-image.ts DIR  -> prints DIR/busybox.tar
import { mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { ensureBusyboxRootfs } from "../test/fixtures/busybox-rootfs.ts";

const dir = resolve(process.argv[2] ?? "/tmp/husk-demo");
mkdirSync(dir, { recursive: true });
const rootfs = await ensureBusyboxRootfs(`${dir}/rootfs`);
const tarball = `${dir}/busybox.tar`;
rmSync(tarball, { force: true });
const tar = spawnSync("tar", ["--sort=name", "--numeric-owner", "-C", rootfs, "-cf", tarball, "."], { stdio: "inherit" });
if (tar.status !== 0) {
  console.error(`demo: tar of ${rootfs} failed (exit ${tar.status})`);
  process.exit(1);
}
console.log(tarball);
