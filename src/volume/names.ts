// Volume names as docker allows them: at least two characters, letters, digits, '_', '.',
// '-', starting with a letter or digit. The name is a directory name under
// <data-root>/volumes, so nothing else (no '/', no '..') may get through.
export const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,254}$/;

/** Why `name` is not a volume name, or undefined when it is one. */
export function checkVolumeName(name: string): string | undefined {
  if (VOLUME_NAME_RE.test(name)) return undefined;
  if (name.length < 2) return "a volume name has at least 2 characters";
  if (name.length > 255) return "a volume name has at most 255 characters";
  return "a volume name starts with a letter or digit and holds only letters, digits, '_', '.' and '-'";
}

/** A fresh anonymous volume name: 64 hex, like docker's. */
export function anonymousVolumeName(): string {
  return new Bun.CryptoHasher("sha256").update(crypto.getRandomValues(new Uint8Array(32))).digest("hex");
}
