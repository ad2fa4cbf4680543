// A stand-in for the husk CLI in the kill -9 test: launch a monitor from a plan file,
// print its pids as one JSON line, then hang until killed.
import { readFileSync } from "node:fs";
import { launchMonitor } from "../../../src/engine/monitor-client.ts";

const plan = new Uint8Array(readFileSync(process.argv[2]!));
const r = await launchMonitor(plan);
process.stdout.write(`${JSON.stringify(r)}\n`);
await new Promise(() => {});
