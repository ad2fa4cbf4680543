// HUSK_TRACE=1 prints where the milliseconds go (time since process start) to stderr.
const on = process.env.HUSK_TRACE === "1";

export function trace(what: string): void {
  if (on) process.stderr.write(`husk-trace ${performance.now().toFixed(2)}ms ${what}\n`);
}
