/**
 * Building blocks of the config.json validator: the error type, JSON-path rendering, and
 * typed readers that throw a SpecError naming the exact path of the first bad value.
 *
 * Conventions of the readers:
 * - a JSON null is treated like an absent field (Go's decoder does the same), and the key
 *   is deleted so that the validated spec carries `undefined`, never `null`;
 * - `req*` readers fail with "is required" on an absent field, `opt*` readers return
 *   undefined;
 * - numbers must be integers in the range of the Go field they mirror.
 */

export class SpecError extends Error {
  /** JSON path of the offending value, e.g. "process.args[0]"; "" for the document itself. */
  readonly path: string;
  /** The message without the path. */
  readonly detail: string;
  /** Where the document came from (a file name), when known. */
  source?: string;

  constructor(path: string, detail: string, message?: string) {
    super(message ?? (path === "" ? detail : `${path}: ${detail}`));
    this.name = "SpecError";
    this.path = path;
    this.detail = detail;
  }
}

export type Obj = Record<string, unknown>;

export function fail(path: string, detail: string): never {
  throw new SpecError(path, detail);
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Child path: `a.b`, `a[3]`, or `a["net.ipv4.ip_forward"]` for keys that are not identifiers. */
export function join(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  if (IDENT.test(key)) return base === "" ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

export function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Read `obj[key]`, turning null into absent. */
export function get(obj: Obj, key: string): unknown {
  const v = obj[key];
  if (v === null) {
    delete obj[key];
    return undefined;
  }
  return v;
}

// --- plain values ----------------------------------------------------------------------

export function expectObject(v: unknown, path: string): Obj {
  if (!isObject(v)) fail(path, "must be an object");
  return v;
}

export function expectArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, "must be an array");
  return v;
}

export function expectString(v: unknown, path: string): string {
  if (typeof v !== "string") fail(path, "must be a string");
  return v;
}

export function expectNonEmptyString(v: unknown, path: string): string {
  if (typeof v !== "string" || v === "") fail(path, "must be a non-empty string");
  return v;
}

export function expectBool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") fail(path, "must be a boolean");
  return v;
}

export function expectAbsolutePath(v: unknown, path: string): string {
  const s = expectString(v, path);
  if (!s.startsWith("/")) fail(path, "must be an absolute path");
  return s;
}

export interface IntRange {
  min?: number;
  max?: number;
  /** Message used when the value is an integer out of range. */
  text: string;
}

export const INT64: IntRange = { text: "must be an integer" };
export const UINT64: IntRange = { min: 0, max: 2 ** 64, text: "must be a non-negative integer" };
export const UINT32: IntRange = { min: 0, max: 2 ** 32 - 1, text: "must be an integer from 0 to 4294967295" };
export const UINT16: IntRange = { min: 0, max: 2 ** 16 - 1, text: "must be an integer from 0 to 65535" };
export const INT32: IntRange = { min: -(2 ** 31), max: 2 ** 31 - 1, text: "must be a 32-bit integer" };
export const POSITIVE: IntRange = { min: 1, text: "must be a positive integer" };

export function range(min: number, max: number): IntRange {
  return { min, max, text: `must be an integer from ${min} to ${max}` };
}

export function expectInt(v: unknown, path: string, r: IntRange): number {
  if (typeof v !== "number" || !Number.isInteger(v)) fail(path, r.text);
  if ((r.min !== undefined && v < r.min) || (r.max !== undefined && v > r.max)) fail(path, `${r.text} (got ${v})`);
  return v;
}

/** A string that must be one of `allowed`. `what` names the kind, e.g. "namespace type". */
export function expectOneOf<T extends string>(
  v: unknown,
  path: string,
  allowed: readonly T[],
  what: string,
  listAllowed = true,
): T {
  const s = expectString(v, path);
  if (!(allowed as readonly string[]).includes(s)) {
    const hint = listAllowed ? ` (expected one of ${allowed.join(", ")})` : "";
    fail(path, `unknown ${what} ${JSON.stringify(s)}${hint}`);
  }
  return s as T;
}

export function expectNoNul(s: string, path: string): string {
  if (s.includes("\0")) fail(path, "must not contain a NUL byte");
  return s;
}

// --- fields of an object ---------------------------------------------------------------

function required(obj: Obj, key: string, base: string): unknown {
  const v = get(obj, key);
  if (v === undefined) fail(join(base, key), "is required");
  return v;
}

export function reqObject(obj: Obj, key: string, base: string): Obj {
  return expectObject(required(obj, key, base), join(base, key));
}

export function optObject(obj: Obj, key: string, base: string): Obj | undefined {
  const v = get(obj, key);
  return v === undefined ? undefined : expectObject(v, join(base, key));
}

export function optArray(obj: Obj, key: string, base: string): unknown[] | undefined {
  const v = get(obj, key);
  return v === undefined ? undefined : expectArray(v, join(base, key));
}

export function reqArray(obj: Obj, key: string, base: string): unknown[] {
  return expectArray(required(obj, key, base), join(base, key));
}

export function reqString(obj: Obj, key: string, base: string): string {
  return expectString(required(obj, key, base), join(base, key));
}

export function optString(obj: Obj, key: string, base: string): string | undefined {
  const v = get(obj, key);
  return v === undefined ? undefined : expectString(v, join(base, key));
}

export function optBool(obj: Obj, key: string, base: string): boolean | undefined {
  const v = get(obj, key);
  return v === undefined ? undefined : expectBool(v, join(base, key));
}

export function reqBool(obj: Obj, key: string, base: string): boolean {
  return expectBool(required(obj, key, base), join(base, key));
}

export function reqInt(obj: Obj, key: string, base: string, r: IntRange): number {
  return expectInt(required(obj, key, base), join(base, key), r);
}

export function optInt(obj: Obj, key: string, base: string, r: IntRange): number | undefined {
  const v = get(obj, key);
  return v === undefined ? undefined : expectInt(v, join(base, key), r);
}

export function reqAbsolutePath(obj: Obj, key: string, base: string): string {
  return expectAbsolutePath(required(obj, key, base), join(base, key));
}

export function optAbsolutePath(obj: Obj, key: string, base: string): string | undefined {
  const v = get(obj, key);
  return v === undefined ? undefined : expectAbsolutePath(v, join(base, key));
}

export function reqOneOf<T extends string>(obj: Obj, key: string, base: string, allowed: readonly T[], what: string): T {
  return expectOneOf(required(obj, key, base), join(base, key), allowed, what);
}

export function optOneOf<T extends string>(
  obj: Obj,
  key: string,
  base: string,
  allowed: readonly T[],
  what: string,
): T | undefined {
  const v = get(obj, key);
  return v === undefined ? undefined : expectOneOf(v, join(base, key), allowed, what);
}

/** An optional array whose elements are each checked by `each` (given the element and its path). */
export function optEach(
  obj: Obj,
  key: string,
  base: string,
  each: (v: unknown, path: string, index: number) => void,
): unknown[] | undefined {
  const arr = optArray(obj, key, base);
  const path = join(base, key);
  arr?.forEach((v, i) => each(v, join(path, i), i));
  return arr;
}

export function optStringArray(obj: Obj, key: string, base: string): string[] | undefined {
  return optEach(obj, key, base, expectString) as string[] | undefined;
}

export function optIntArray(obj: Obj, key: string, base: string, r: IntRange): number[] | undefined {
  return optEach(obj, key, base, (v, p) => expectInt(v, p, r)) as number[] | undefined;
}

/** An optional object whose values are each checked by `each`. */
export function optMap(
  obj: Obj,
  key: string,
  base: string,
  each: (v: unknown, path: string, key: string) => void,
): Obj | undefined {
  const map = optObject(obj, key, base);
  if (map === undefined) return undefined;
  const path = join(base, key);
  for (const [k, v] of Object.entries(map)) each(v, join(path, k), k);
  return map;
}

/** An optional string -> string map. */
export function optStringMap(obj: Obj, key: string, base: string): Record<string, string> | undefined {
  return optMap(obj, key, base, expectString) as Record<string, string> | undefined;
}
