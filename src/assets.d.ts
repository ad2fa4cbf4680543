// Files imported `with { type: "file" }` resolve to their path (embedded when compiled).
declare module "*/husk-core" {
  const path: string;
  export default path;
}
declare module "*/husk_core.addon" {
  const path: string;
  export default path;
}
