// Makes the README's demo bundle: a busybox rootfs (from Debian's busybox-static) and a
// config.json that runs one command in it. Usage: bun packaging/demo-bundle.ts DIR [CMD...]
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { ensureBusyboxRootfs, makeBundle, ociSpec } from "../test/fixtures/busybox-rootfs.ts";

const dir = resolve(process.argv[2] ?? "/tmp/husk-demo");
const args = process.argv.length > 3 ? process.argv.slice(3) : ["/bin/sh", "-c", "echo hello from husk; uname -a; id; ps"];
mkdirSync(dir, { recursive: true });
const rootfs = await ensureBusyboxRootfs(`${dir}/rootfs`);
makeBundle({ rootfs, dir, config: ociSpec({ args, hostname: "husk-demo", cgroupsPath: `husk-demo-${process.pid}` }) });
console.log(dir);
