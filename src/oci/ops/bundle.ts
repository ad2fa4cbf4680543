// Reading a bundle: config.json, validated, with the rootfs resolved and checked.
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { HuskError } from "../../runtime/errors.ts";
import type { Spec } from "../spec.ts";
import { parseSpec } from "../validate.ts";

export interface Bundle {
  dir: string;
  spec: Spec;
  rootfs: string;
}

export function loadBundle(bundleArg: string | undefined): Bundle {
  const dir = resolve(bundleArg ?? ".");
  const configPath = `${dir}/config.json`;
  let text: string;
  try {
    text = readFileSync(configPath, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new HuskError(`bundle ${dir}: config.json not found: ENOENT`, "pass --bundle <dir> holding config.json, or run 'husk oci spec' there");
    throw new HuskError(`bundle ${dir}: cannot read config.json: ${code}`);
  }
  const spec = parseSpec(text, "config.json");
  if (!spec.root?.path) throw new HuskError("root.path: required");
  const rootfs = resolve(dir, spec.root.path);
  let isDir = false;
  try {
    isDir = statSync(rootfs).isDirectory();
  } catch (e) {
    throw new HuskError(`root.path: ${rootfs} does not exist: ${(e as NodeJS.ErrnoException).code}`, "create the rootfs or fix root.path in config.json");
  }
  if (!isDir) throw new HuskError(`root.path: ${rootfs} is not a directory: ENOTDIR`);
  return { dir, spec, rootfs };
}
