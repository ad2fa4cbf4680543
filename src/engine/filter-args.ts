// docker's `--filter KEY=VALUE` arguments, checked against the keys a command knows.
import { HuskError } from "../runtime/errors.ts";

export function parseFilterArgs(items: string[], keys: readonly string[]): [string, string][] {
  return items.map((f) => {
    const eq = f.indexOf("=");
    const key = f.slice(0, eq);
    if (eq <= 0 || !keys.includes(key)) throw new HuskError(`invalid filter "${f}"`, `use KEY=VALUE with KEY one of ${keys.join(", ")}`, 125);
    return [key, f.slice(eq + 1)];
  });
}
