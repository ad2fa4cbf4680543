import { Command, Option } from "clipanion";
import { eventsFile } from "../../engine/events.ts";
import { followEvents } from "../../engine/events-follow.ts";
import { eventMatches, formatEvent, parseEventFilters } from "../../engine/events-view.ts";
import { parseTimeFlag } from "../../engine/time-flags.ts";
import { EngineCommand } from "./base.ts";

export class SystemEventsCommand extends EngineCommand {
  static override paths = [["events"], ["system", "events"]];
  static override usage = Command.Usage({
    category: "System",
    description: "print container events (create, start, die, oom, kill, stop, destroy, exec_create, rename, restart) as they happen, until Ctrl-C or --until",
    details: "The monitors append die, oom and restart themselves, so events of detached containers are there even when no husk command was running.",
    examples: [
      ["Dies of the last hour, as JSON", "husk events --since 1h --until 0s --filter event=die --format json"],
      ["Follow one container", "husk events --filter container=web --format '{{.Action}} {{.Actor.Attributes.exitCode}}'"],
    ],
  });
  since = Option.String("--since", { description: "also show past events from this time or duration ago" });
  until = Option.String("--until", { description: "stop after this time (a duration means that long ago)" });
  filter = Option.Array("-f,--filter", [], { description: "KEY=VALUE: container, event, type, image, label" });
  format = Option.String("--format", { description: "json, or a template such as '{{.Action}} {{.Actor.ID}}'" });

  async run() {
    const filters = parseEventFilters(this.filter);
    const now = Date.now();
    const sinceMs = this.since === undefined ? undefined : parseTimeFlag("--since", this.since, now);
    const untilMs = this.until === undefined ? undefined : parseTimeFlag("--until", this.until, now);
    const out = this.context.stdout;
    let stop = false;
    const onSignal = () => {
      stop = true;
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      await followEvents(eventsFile(this.roots), { sinceMs, untilMs, stopped: () => stop }, (ev) => {
        if (eventMatches(ev, filters)) out.write(`${formatEvent(ev, this.format)}\n`);
      });
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
}
