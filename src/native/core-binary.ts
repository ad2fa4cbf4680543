// Where husk-core lives. From a checkout it is build/Release/husk-core; in the compiled
// executable it is an embedded file that we copy into a memfd and run from there, so a
// read-only root or a noexec /tmp does not matter.
import corePath from "../../build/Release/husk-core" with { type: "file" };
import { trace } from "../util/trace.ts";
import { addon, isCompiledBinary } from "./addon.ts";

let resolved: string | undefined;

export function huskCorePath(): string {
  if (resolved) return resolved;
  const override = process.env.HUSK_CORE_PATH;
  if (override) return (resolved = override);
  if (!isCompiledBinary()) return (resolved = corePath);
  const bytes = new Uint8Array(require("node:fs").readFileSync(corePath));
  trace("core: embedded husk-core read");
  const fd = addon().memfdFromBuffer("husk-core", bytes);
  // The fd stays open for the life of this process; children exec it by path.
  return (resolved = `/proc/${process.pid}/fd/${fd}`);
}
