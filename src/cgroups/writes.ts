// A cgroup file write, as planned in TypeScript and carried out in C (husk-core at
// create, the addon for `update`), one open/write per file.
export interface CgroupWrite {
  /** Full path of the cgroup file. */
  path: string;
  value: string;
  /** The config.json field this write comes from, for error messages. */
  knob: string;
}
