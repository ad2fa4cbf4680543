// The small part of Go's text/template that docker users put in --format: {{.Field}},
// dotted paths ({{.Actor.Attributes.name}}), {{json .X}}, {{json .}}, and \t \n escapes.
import { HuskError } from "../runtime/errors.ts";

const NO_VALUE = "<no value>";

/** A missing top-level field is a mistake; a missing key deeper down (a map such as
 * Attributes or Labels) prints Go's "<no value>". */
function lookup(value: unknown, path: string[], all: string): unknown {
  let v = value;
  for (const [depth, key] of path.entries()) {
    if (depth > 0 && v !== null && typeof v === "object" && !(key in (v as object))) return NO_VALUE;
    if (v === null || typeof v !== "object" || !(key in (v as object))) {
      const known = value && typeof value === "object" ? Object.keys(value).join(", ") : "";
      throw new HuskError(`--format: unknown field ${all}`, known ? `fields: ${known}` : undefined, 125);
    }
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const show = (v: unknown) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));

export function renderGoTemplate(template: string, data: unknown): string {
  const unescaped = template.replace(/\\t/g, "\t").replace(/\\n/g, "\n");
  return unescaped.replace(/\{\{\s*(json\s+)?\.([\w.]*)\s*\}\}/g, (_whole, json: string | undefined, path: string) => {
    const v = path ? lookup(data, path.split("."), `.${path}`) : data;
    return json && v !== NO_VALUE ? JSON.stringify(v) : show(v);
  });
}
