// Platforms as OCI indexes and docker manifest lists name them: os/architecture[/variant].
// The host's platform comes from process.arch; arm64 means variant v8 unless told.
import { HuskError } from "../../runtime/errors.ts";

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const ARCH_ALIASES: Record<string, string> = {
  x64: "amd64",
  x86_64: "amd64",
  "x86-64": "amd64",
  aarch64: "arm64",
  ia32: "386",
  i386: "386",
  ppc64: "ppc64le",
};

/** Canonical form: arch aliases resolved, arm64 without a variant is arm64/v8. */
export function normalizePlatform(p: Platform): Platform {
  const architecture = ARCH_ALIASES[p.architecture.toLowerCase()] ?? p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase() || undefined;
  if (architecture === "arm64" && (variant === undefined || variant === "8")) variant = "v8";
  if (architecture === "arm" && variant && /^\d$/.test(variant)) variant = `v${variant}`;
  return { os: p.os.toLowerCase(), architecture, ...(variant ? { variant } : {}) };
}

export function hostPlatform(): Platform {
  return normalizePlatform({ os: "linux", architecture: process.arch });
}

/** Parse `os/arch[/variant]` (as given to --platform). */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
    throw new HuskError(`invalid platform "${text}"`, "use os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8");
  }
  return normalizePlatform({ os: parts[0]!, architecture: parts[1]!, ...(parts[2] ? { variant: parts[2] } : {}) });
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`;
}

/** Does an index entry's platform satisfy `want`? A wanted variant must match exactly. */
export function platformMatches(want: Platform, have: Platform): boolean {
  const w = normalizePlatform(want);
  const h = normalizePlatform(have);
  if (w.os !== h.os || w.architecture !== h.architecture) return false;
  if (w.variant === undefined) return true;
  return w.variant === h.variant;
}
