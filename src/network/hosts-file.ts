// The block of /etc/hosts lines a network manages in each of its containers' hosts files.
// Written in place (not temp + rename): the file is bind-mounted into the container, and a
// rename would leave the container looking at the old inode.
import { readFileSync, writeFileSync } from "node:fs";

const begin = (network: string) => `# husk network ${network} begin`;
const end = (network: string) => `# husk network ${network} end`;

/** Text of `current` with the network's block replaced by `lines` (removed when empty). */
export function replaceBlock(current: string, network: string, lines: string[]): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of current.split("\n")) {
    if (line === begin(network)) skipping = true;
    else if (line === end(network)) skipping = false;
    else if (!skipping) out.push(line);
  }
  while (out.length && out[out.length - 1] === "") out.pop();
  if (lines.length) out.push(begin(network), ...lines, end(network));
  return out.length ? `${out.join("\n")}\n` : "";
}

export function writeBlock(path: string, network: string, lines: string[]): void {
  let current = "";
  try {
    current = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const next = replaceBlock(current, network, lines);
  if (next !== current) writeFileSync(path, next);
}
