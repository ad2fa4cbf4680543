// Layer directories for snapshot tests, written from a small table: path -> content, a
// symlink, a hard link, a device, a directory, a whiteout or an opaque directory. How a
// whiteout, an opaque dir and a device are written is the caller's: the kernel's overlay
// form needs root (the addon's mknod/lsetxattr), a fake one does not.
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type LayerEntry = string | { link: string } | { hard: string } | { dev: [number, number] } | "WHITEOUT" | "DIR" | "OPAQUE";

export interface LayerEncoding {
  whiteout(path: string): void;
  /** Marks an existing directory opaque. */
  opaque?(path: string): void;
  device?(path: string, major: number, minor: number): void;
}

/** Fills `root` (made if missing) with `files`; returns root. */
export function writeLayerDir(root: string, files: Record<string, LayerEntry>, enc: LayerEncoding): string {
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const unsupported = (p: string, what: string) => new Error(`writeLayerDir: ${p}: this test's layer encoding has no ${what}`);
  for (const [p, v] of Object.entries(files)) {
    const abs = join(root, p);
    mkdirSync(dirname(abs), { recursive: true });
    if (v === "DIR") mkdirSync(abs, { recursive: true });
    else if (v === "OPAQUE") {
      mkdirSync(abs, { recursive: true });
      if (!enc.opaque) throw unsupported(p, "opaque dirs");
      enc.opaque(abs);
    } else if (v === "WHITEOUT") enc.whiteout(abs);
    else if (typeof v === "string") writeFileSync(abs, v);
    else if ("link" in v) symlinkSync(v.link, abs);
    else if ("hard" in v) linkSync(join(root, v.hard), abs);
    else {
      if (!enc.device) throw unsupported(p, "devices");
      enc.device(abs, v.dev[0], v.dev[1]);
    }
  }
  return root;
}
