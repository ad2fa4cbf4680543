// runc puts global flags before the verb (`runc --root /x create ...`); clipanion wants
// them after it. Also maps the argv[0] aliases `husk-oci` and `runc` to `husk oci`.
import { basename } from "node:path";

/** Global flags that take a value, and boolean ones. */
const VALUE_FLAGS = new Set(["--root", "--log", "--log-format", "--criu", "--rootless"]);
const BOOL_FLAGS = new Set(["--debug", "--systemd-cgroup"]);
/** Accepted for compatibility, then dropped (they would clash with verb flags). */
const DROPPED = new Set(["--criu", "--rootless"]);

export function normalizeArgv(argv0: string, args: string[]): string[] {
  const name = basename(argv0);
  let rest = [...args];
  if (name === "husk-oci" || name === "runc") rest = ["oci", ...rest];
  if (rest[0] !== "oci") return rest;
  const globals: string[] = [];
  let i = 1;
  while (i < rest.length) {
    const a = rest[i]!;
    const eq = a.indexOf("=");
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (VALUE_FLAGS.has(flag)) {
      const value = eq > 0 ? a.slice(eq + 1) : rest[i + 1];
      i += eq > 0 ? 1 : 2;
      if (!DROPPED.has(flag) && value !== undefined) globals.push(flag, value);
    } else if (BOOL_FLAGS.has(flag)) {
      globals.push(a);
      i += 1;
    } else {
      break;
    }
  }
  const verb = rest[i];
  if (verb === undefined || verb === "--help" || verb === "-h") return ["oci", ...globals];
  // Options go right after the verb so that positional args and `--` stay last.
  return ["oci", verb, ...globals, ...rest.slice(i + 1)];
}
