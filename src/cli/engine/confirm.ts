// docker's "Are you sure?" for the prune commands: anything but y/yes (or no stdin) says no.
export async function confirm(ctx: { stdout: NodeJS.WritableStream; stdin: NodeJS.ReadableStream }, warning: string): Promise<boolean> {
  ctx.stdout.write(`WARNING! ${warning}\nAre you sure you want to continue? [y/N] `);
  let answer = "";
  for await (const chunk of ctx.stdin as AsyncIterable<Buffer>) {
    answer += chunk.toString();
    if (answer.includes("\n")) break;
  }
  const yes = /^\s*y(es)?\s*$/i.test(answer.split("\n")[0] ?? "");
  if (!yes) ctx.stdout.write("\n");
  return yes;
}
