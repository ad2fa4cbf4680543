import { Command, Option } from "clipanion";
import { copyFromContainer, copyToContainer, extractToContainer } from "../../engine/cp/copy.ts";
import { hostPathOf, resolveInRoot } from "../../engine/cp/in-root.ts";
import { endOfArchive, tarTree } from "../../engine/cp/tar-out.ts";
import { readTar } from "../../image/unpack/tar-reader.ts";
import { HuskError } from "../../runtime/errors.ts";
import { mountSnapshot } from "../../storage/snapshot.ts";
import { basename } from "node:path";
import { lstatSync } from "node:fs";
import { EngineCommand } from "./base.ts";

/** docker's split: "NAME:PATH" is a container path unless the text starts like a local path. */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith("/") || arg.startsWith(".") || arg === "-") return { path: arg };
  const colon = arg.indexOf(":");
  if (colon <= 0) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) || "/" };
}

export class ContainerCpCommand extends EngineCommand {
  static override paths = [["cp"], ["container", "cp"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "copy files between a container (running or stopped) and the host, or a tar stream with -",
    details: "Paths in the container are resolved inside its root, as openat2 RESOLVE_IN_ROOT does: a symlink in the container can never lead to a host file.",
    examples: [
      ["Out of a container", "husk cp web:/etc/hostname ./hostname"],
      ["Into a container, keeping owners", "husk cp -a ./site web:/srv/"],
      ["As a tar stream", "husk cp web:/var/log - | tar -t"],
    ],
  });
  archive = Option.Boolean("-a,--archive", false, { description: "keep uid/gid of the source" });
  followLink = Option.Boolean("-L,--follow-link", false, { description: "follow a symlink that SRC names" });
  src = Option.String({ required: true });
  dest = Option.String({ required: true });

  async run() {
    const from = splitCpArg(this.src);
    const to = splitCpArg(this.dest);
    if (from.container && to.container) throw new HuskError("copying between containers is not supported", "copy to the host first");
    if (!from.container && !to.container) throw new HuskError("one of SRC and DEST must be a container path (NAME:PATH)", "e.g. husk cp web:/etc/hostname .");
    const store = this.records();
    const rec = store.find((from.container ?? to.container)!);
    // The snapshot's merged dir is the container's root, running or stopped.
    mountSnapshot(rec.snapshot);
    const root = rec.snapshot.mergedDir;
    const opts = { archive: this.archive, followLink: this.followLink };
    if (from.container) {
      if (to.path === "-") {
        const srcHost = hostPathOf(root, resolveInRoot(root, from.path, this.followLink));
        let st;
        try {
          st = lstatSync(srcHost);
        } catch {
          throw new HuskError(`could not find ${from.path} in container ${rec.name}: ENOENT`, `see 'husk exec ${rec.name} ls'`);
        }
        const out = this.context.stdout;
        const name = from.path.replace(/\/+$/, "") === "" ? "." : basename(from.path.replace(/\/\.?$/, "")) || ".";
        tarTree((b) => out.write(b), srcHost, name, st);
        out.write(endOfArchive());
        return;
      }
      copyFromContainer(root, from.path, to.path, opts, rec.name);
      return;
    }
    if (from.path === "-") {
      const stdin = Bun.stdin.stream() as unknown as AsyncIterable<Uint8Array>;
      await extractToContainer(root, readTar(stdin), to.path, opts, rec.name, this.warn);
      return;
    }
    await copyToContainer(root, from.path, to.path, opts, rec.name);
  }
}
