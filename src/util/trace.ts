// HUSK_TRACE=1 (or --debug) prints where the milliseconds go (time since process start)
// to stderr; husk-core inherits the variable and adds its own lines.
let on = process.env.HUSK_TRACE === "1";

export function enableTrace(): void {
  on = true;
  process.env.HUSK_TRACE = "1";
}

export function trace(what: string): void {
  if (on) process.stderr.write(`husk-trace ${performance.now().toFixed(2)}ms ${what}\n`);
}
