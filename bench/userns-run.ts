// What a user namespace costs `husk run`: `--userns host` beside `--userns auto`
// (a range allocated and freed, the snapshot mounted over idmapped layers by husk-core),
// interleaved in one process, medians printed.
//
//   sudo node_modules/.bin/bun bench/userns-run.ts [--runs N (15)]
import { chmodSync } from "node:fs";
import { removeTestCgroups } from "../test/helpers/cgroup.ts";
import { engineEnv, IMAGE } from "../test/e2e/support/engine.ts";

const i = process.argv.indexOf("--runs");
const runs = i >= 0 ? Number(process.argv[i + 1]) : 15;
if (process.getuid?.() !== 0) throw new Error("userns-run: run as root");
const env = await engineEnv("userns-bench");
chmodSync(env.dataRoot, 0o711); // the container's root must be able to enter it
const times: Record<string, number[]> = { host: [], auto: [] };
try {
  for (let n = 0; n < runs + 1; n++)
    for (const mode of ["host", "auto"]) {
      const start = performance.now();
      const r = env.husk(["run", "--rm", "--network", "none", "--cgroup-parent", env.cgroupParent, "--userns", mode, IMAGE, "true"]);
      if (r.exitCode !== 0) throw new Error(`--userns ${mode}: ${r.stderr}`);
      if (n > 0) times[mode]!.push(performance.now() - start); // the first round warms up
    }
} finally {
  env.cleanup();
  removeTestCgroups("userns-bench");
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const [h, a] = [median(times.host!), median(times.auto!)];
console.log(`husk run --rm --network none IMAGE true, median of ${runs}: --userns host ${h.toFixed(1)} ms, --userns auto ${a.toFixed(1)} ms (+${(a - h).toFixed(1)} ms, ${(a / h).toFixed(2)}x)`);
