// husk.1: the `--help` texts of the executable, wrapped in a man page. Plain text inside
// .nf/.fi, so the page says exactly what `husk --help` says.

/** Text safe inside a no-fill roff block: backslashes doubled, no line starting a request. */
export function roffLiteral(text: string): string {
  return text
    .replace(/\\/g, "\\e")
    .split("\n")
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join("\n");
}

export function manPage(opts: { version: string; date: string; sections: { title: string; text: string }[] }): string {
  const out = [
    `.TH HUSK 1 "${opts.date}" "husk ${opts.version}" "User Commands"`,
    ".SH NAME",
    "husk \\- a Linux container runtime in one executable (also husk-oci, the OCI runtime face)",
    ".SH SYNOPSIS",
    ".B husk",
    ".I command",
    "[options]",
    ".br",
    ".B husk oci",
    ".I verb",
    "[options]",
    ".SH DESCRIPTION",
    "husk runs Linux containers with namespaces, cgroups, seccomp and overlay filesystems.",
    "Called as husk-oci it speaks runc's command line for containerd and podman.",
    "The settings systemd uses are in /etc/husk/husk.env.",
  ];
  for (const s of opts.sections) {
    out.push(`.SH ${s.title.toUpperCase()}`, ".nf", roffLiteral(s.text.trimEnd()), ".fi");
  }
  return `${out.join("\n")}\n`;
}
