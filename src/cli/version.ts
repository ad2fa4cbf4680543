import { Command } from "clipanion";
import { addon } from "../native/addon.ts";
import { BUILD_INFO } from "../version.ts";
import { reportError } from "./log.ts";

export class VersionCommand extends Command {
  static override paths = [["--version"], ["-v"], ["version"], ["oci", "--version"], ["oci", "-v"]];
  static override usage = Command.Usage({ description: "print the version, commit and the kernel features husk detected" });
  async execute() {
    let f;
    try {
      f = addon().features();
    } catch (e) {
      return reportError(e, { format: "text", debug: false }, this.context.stderr);
    }
    const yes = (b: boolean) => (b ? "yes" : "no");
    this.context.stdout.write(
      [
        `husk version ${BUILD_INFO.version}`,
        `commit: ${BUILD_INFO.commit}`,
        `spec: 1.2.1`,
        `cgroup: ${f.cgroupMode}`,
        `overlay: ${yes(f.overlay)}`,
        `clone3: ${yes(f.clone3)}`,
        `seccomp: ${yes(f.seccomp)}`,
        `user namespaces: ${yes(f.userNamespaces)}`,
        `new mount API: ${yes(f.newMountApi)}`,
        `time namespace: ${yes(f.timeNamespace)}`,
        "",
      ].join("\n"),
    );
    return 0;
  }
}
