import { Command, Option } from "clipanion";
import { currentState } from "../../engine/container-state.ts";
import { inspectContainer } from "../../engine/inspect.ts";
import { volumeDataDir } from "../../engine/volumes.ts";
import { EngineCommand } from "./base.ts";

export class ContainerInspectCommand extends EngineCommand {
  static override paths = [["inspect"], ["container", "inspect"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "show containers as docker-shaped JSON (State, Config, HostConfig, Mounts, NetworkSettings, GraphDriver)",
    examples: [["The exit code", "husk inspect --format '{{.State.ExitCode}}' web"]],
  });
  format = Option.String("-f,--format", { description: "a template such as '{{.State.Status}}' or '{{json .Config}}'" });
  refs = Option.Rest({ required: 1 });

  async run() {
    const store = this.records();
    const out: unknown[] = [];
    let failed = 0;
    for (const ref of this.refs) {
      try {
        const rec = store.find(ref);
        out.push(inspectContainer(rec, currentState(rec, store.paths(rec.id)), store.paths(rec.id), (n) => volumeDataDir(this.roots, n)));
      } catch (e) {
        failed++;
        this.context.stderr.write(`husk: ${(e as Error).message}\n`);
      }
    }
    if (this.format) for (const o of out) this.context.stdout.write(`${renderPath(this.format, o)}\n`);
    else this.context.stdout.write(`${JSON.stringify(out, null, 4)}\n`);
    return failed ? 1 : 0;
  }
}

/** {{.State.Status}} or {{json .Config}}: dotted paths into the inspect object. */
function renderPath(template: string, obj: unknown): string {
  return template.replace(/\{\{\s*(json\s+)?\.([\w.]*)\s*\}\}/g, (_w, json: string | undefined, path: string) => {
    let v: unknown = obj;
    for (const k of path.split(".").filter(Boolean)) v = (v as Record<string, unknown> | undefined)?.[k];
    if (json || (typeof v === "object" && v !== null)) return JSON.stringify(v);
    return v === undefined ? "<no value>" : String(v);
  });
}
