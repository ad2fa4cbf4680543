// HUSK_TRACE=1 (or --debug) prints where the milliseconds go (time since process start)
// to stderr; husk-core inherits the variable and adds its own lines. Lines are kept in
// memory and written at exit: the first write to process.stderr costs about a
// millisecond, which would show up in the very timings being traced.
let on = process.env.HUSK_TRACE === "1";
const lines: string[] = [];
let flushHooked = false;

export function enableTrace(): void {
  on = true;
  process.env.HUSK_TRACE = "1";
}

/** Writes what was traced so far (at exit, or before handing the terminal to husk-core). */
export function flushTrace(): void {
  if (lines.length === 0) return;
  const text = lines.join("");
  lines.length = 0;
  require("node:fs").writeSync(2, text);
}

export function trace(what: string): void {
  if (!on) return;
  lines.push(`husk-trace ${performance.now().toFixed(2)}ms ${what}\n`);
  if (!flushHooked) {
    flushHooked = true;
    process.on("exit", flushTrace);
  }
}
