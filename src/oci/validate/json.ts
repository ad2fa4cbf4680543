/**
 * JSON.parse in Bun says what went wrong but not where. When it fails, this small scanner
 * walks the text along the JSON grammar (RFC 8259) and reports the first offending offset
 * as a line and column, so that a broken config.json can be fixed by reading one line.
 */
import { SpecError } from "./check.ts";

interface JsonSyntaxError {
  offset: number;
  message: string;
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const MAX_DEPTH = 1000;

/** Offset and reason of the first syntax error in `text`, or undefined if it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const n = text.length;

  /** What sits at `at`: `"x"`, `U+0001`, or "end of input". */
  const what = (at: number): string => {
    if (at >= n) return "end of input";
    const c = text[at] as string;
    const code = c.charCodeAt(0);
    return code < 0x20 || code === 0x7f ? `U+${code.toString(16).padStart(4, "0").toUpperCase()}` : JSON.stringify(c);
  };
  const describe = (at: number): string => (at >= n ? "unexpected end of input" : `unexpected character ${what(at)}`);
  const stop = (at: number, reason?: string): never => {
    throw new Stop(at, reason ?? describe(at));
  };
  const ws = () => {
    while (i < n) {
      const c = text[i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") i++;
      else break;
    }
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) {
      if (text[i + k] !== word[k]) stop(i + k);
    }
    i += word.length;
  };
  const digits = (): number => {
    const start = i;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    return i - start;
  };
  const number = () => {
    if (text[i] === "-") i++;
    if (text[i] === "0") i++;
    else if (digits() === 0) stop(i, i >= n ? undefined : `invalid number: expected a digit, got ${what(i)}`);
    if (text[i] === ".") {
      i++;
      if (digits() === 0) stop(i, "invalid number: expected a digit after the decimal point");
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      if (digits() === 0) stop(i, "invalid number: expected a digit in the exponent");
    }
  };
  const string = () => {
    const open = i;
    i++; // opening quote
    while (true) {
      if (i >= n) stop(open, "unterminated string");
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return;
      }
      if (code < 0x20) stop(i, "control character in string (escape it)");
      if (code === 0x5c) {
        const e = text[i + 1];
        if (e === undefined) stop(open, "unterminated string");
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) stop(i, "invalid \\u escape in string");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          stop(i, `invalid escape \\${e} in string`);
        }
        continue;
      }
      i++;
    }
  };
  const value = (depth: number) => {
    if (depth > MAX_DEPTH) stop(i, "nesting too deep");
    ws();
    const c = text[i];
    if (c === "{") return object(depth);
    if (c === "[") return array(depth);
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number();
    stop(i);
  };
  const object = (depth: number) => {
    i++; // {
    ws();
    if (text[i] === "}") {
      i++;
      return;
    }
    while (true) {
      ws();
      if (text[i] !== '"') stop(i, text[i] === "}" ? "trailing comma before }" : `expected a string key, got ${what(i)}`);
      string();
      ws();
      if (text[i] !== ":") stop(i, `expected ":" after the key, got ${what(i)}`);
      i++;
      value(depth + 1);
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        return;
      }
      stop(i, i >= n ? undefined : `expected "," or "}", got ${what(i)}`);
    }
  };
  const array = (depth: number) => {
    i++; // [
    ws();
    if (text[i] === "]") {
      i++;
      return;
    }
    while (true) {
      ws();
      if (text[i] === "]") stop(i, "trailing comma before ]");
      value(depth + 1);
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "]") {
        i++;
        return;
      }
      stop(i, i >= n ? undefined : `expected "," or "]", got ${what(i)}`);
    }
  };

  try {
    value(0);
    ws();
    if (i < n) stop(i, `unexpected ${what(i)} after the end of the document`);
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, message: e.reason };
    throw e;
  }
}

/** 1-based line and column (in UTF-16 code units) of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * JSON.parse with a located error: throws SpecError
 * `<source>: invalid JSON at line L column C: <reason>`.
 */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const found = findJsonSyntaxError(text);
    let message: string;
    if (found === undefined) {
      // The scanner and the engine disagree; report what the engine said.
      message = `${source}: invalid JSON: ${e instanceof Error ? e.message : String(e)}`;
    } else {
      const { line, column } = lineColumn(text, found.offset);
      message = `${source}: invalid JSON at line ${line} column ${column}: ${found.message}`;
    }
    const err = new SpecError("", message, message);
    err.source = source;
    throw err;
  }
}
