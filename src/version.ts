// Filled in by packaging/build.ts for release builds (HUSK_BUILD_* defines); from a
// checkout the values say so.
declare const HUSK_BUILD_VERSION: string | undefined;
declare const HUSK_BUILD_COMMIT: string | undefined;

export const BUILD_INFO = {
  version: typeof HUSK_BUILD_VERSION === "string" ? HUSK_BUILD_VERSION : "0.1.0-dev",
  commit: typeof HUSK_BUILD_COMMIT === "string" ? HUSK_BUILD_COMMIT : "unknown (source checkout)",
};
