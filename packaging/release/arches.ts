// The release targets: one row per architecture, with the names each tool uses for it.
export interface Arch {
  /** Our name, used in file names: husk-<version>-linux-<name>.tar.gz */
  name: "x64" | "arm64";
  /** `bun build --compile --target=` */
  bunTarget: string;
  /** The .deb's Architecture field. */
  debArch: string;
  /** cmake toolchain file under core-c/cmake/, when cross-compiling. */
  toolchain?: string;
  /** Tools and files the cross build needs, with the Debian package that has them. */
  needs: { path: string; pkg: string }[];
}

export const ARCHES: Arch[] = [
  {
    name: "x64",
    bunTarget: "bun-linux-x64",
    debArch: "amd64",
    needs: [{ path: "/usr/lib/x86_64-linux-gnu/libseccomp.a", pkg: "libseccomp-dev" }],
  },
  {
    name: "arm64",
    bunTarget: "bun-linux-arm64",
    debArch: "arm64",
    toolchain: "aarch64-linux-gnu.cmake",
    needs: [
      { path: "/usr/bin/aarch64-linux-gnu-gcc", pkg: "gcc-aarch64-linux-gnu" },
      { path: "/usr/lib/aarch64-linux-gnu/libseccomp.a", pkg: "libseccomp-dev:arm64 (after dpkg --add-architecture arm64)" },
    ],
  },
];

export function archByName(name: string): Arch {
  const a = ARCHES.find((x) => x.name === name);
  if (!a) throw new Error(`unknown architecture "${name}" (known: ${ARCHES.map((x) => x.name).join(", ")})`);
  return a;
}
