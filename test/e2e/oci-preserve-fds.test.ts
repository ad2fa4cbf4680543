// --preserve-fds N passes the caller's fds 3..3+N-1 into the container; every other
// fd of husk stays out of it.
import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { huskBin, tempRoot, removeTempRoot } from "../helpers/husk.ts";
import { isRoot, OciSuite } from "./support/oci-run.ts";

const suite = new OciSuite("fds");
suite.useHooks();

describe.skipIf(!isRoot)("--preserve-fds", () => {
  for (const [preserve, expected] of [["1", "from fd 3\n0 1 2 3 4\n"], ["0", "closed\n0 1 2 3\n"]] as const) {
    test(`--preserve-fds ${preserve}`, () => {
      const file = join(suite.work, `fd3-${preserve}.txt`);
      writeFileSync(file, "from fd 3\n");
      // `ls` shows its own directory fd too: 3 without a preserved fd, 4 with one.
      const spec = suite.spec(`fds-${preserve}`, { args: ["/bin/sh", "-c", "{ cat <&3; } 2>/dev/null || echo closed; ls /proc/self/fd | tr '\\n' ' ' | sed 's/ $//'; echo"] });
      const bundle = suite.bundle(`fds-${preserve}`, spec);
      const root = tempRoot();
      const fd = openSync(file, "r");
      try {
        const r = Bun.spawnSync([huskBin(), "oci", "--root", root, "run", "--preserve-fds", preserve, "--bundle", bundle, suite.id(`fds-${preserve}`)], {
          stdio: ["ignore", "pipe", "pipe", fd],
        });
        expect(r.stderr.toString()).toBe("");
        expect(r.stdout.toString()).toBe(expected);
        expect(r.exitCode).toBe(0);
      } finally {
        closeSync(fd);
        removeTempRoot(root);
      }
    });
  }
});
