// Where plugins come from, in order: bundled (compiled in), /etc/husk/plugins, then each
// directory or file in $HUSK_PLUGIN_PATH (colon separated). A directory holds plugin files
// (*.js, *.mjs, *.ts) or plugin directories with an index.{js,mjs,ts}.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const SYSTEM_PLUGIN_DIR = "/etc/husk/plugins";
const EXTS = [".js", ".mjs", ".ts"];

/** The search path: /etc/husk/plugins, then $HUSK_PLUGIN_PATH entries. */
export function pluginSearchPath(env: Record<string, string | undefined> = process.env): string[] {
  const extra = (env.HUSK_PLUGIN_PATH ?? "").split(":").filter(Boolean).map((p) => resolve(p));
  return [SYSTEM_PLUGIN_DIR, ...extra];
}

/** Plugin files found under the search path, in search order (sorted within a directory). */
export function findPluginFiles(searchPath: string[]): string[] {
  const out: string[] = [];
  for (const entry of searchPath) {
    let st;
    try {
      st = statSync(entry);
    } catch {
      continue; // a missing directory is normal
    }
    if (st.isFile()) {
      if (EXTS.some((e) => entry.endsWith(e))) out.push(entry);
      continue;
    }
    if (!st.isDirectory()) continue;
    for (const name of readdirSync(entry).sort()) {
      if (name.startsWith(".") || name.endsWith(".d.ts") || name.endsWith(".test.ts")) continue;
      const p = join(entry, name);
      let s;
      try {
        s = statSync(p);
      } catch {
        continue;
      }
      if (s.isFile() && EXTS.some((e) => name.endsWith(e))) out.push(p);
      else if (s.isDirectory()) {
        const index = EXTS.map((e) => join(p, `index${e}`)).find((f) => existsSync(f));
        if (index) out.push(index);
      }
    }
  }
  return out;
}
