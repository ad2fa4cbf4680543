// -v/--volume, --mount and --tmpfs: parsed by the volume module (src/volume/mount-spec.ts),
// which owns docker's mount syntaxes; re-exported here for the engine's flag table.
export { parseMountFlag, parseTmpfs, parseVolume } from "../../volume/mount-spec.ts";
