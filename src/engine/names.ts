// Container ids and names as docker users know them: 64 hex ids, names that match
// [a-zA-Z0-9][a-zA-Z0-9_.-]*, and generated `adjective_noun` names when none is given.
// The word lists are husk's own (birds and trees), not docker's.
import { HuskError } from "../runtime/errors.ts";

export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const ADJECTIVES = [
  "agile", "amber", "bold", "brave", "bright", "calm", "clever", "cosy", "crisp", "curious",
  "daring", "deft", "eager", "early", "fair", "fleet", "fond", "frank", "gentle", "glad",
  "grand", "happy", "hardy", "honest", "humble", "jolly", "keen", "kind", "lively", "loyal",
  "lucid", "merry", "mild", "modest", "neat", "nimble", "noble", "patient", "plucky", "polite",
  "proud", "quick", "quiet", "rapid", "ready", "robust", "serene", "sharp", "shy", "silent",
  "sleek", "steady", "sturdy", "sunny", "swift", "tender", "tidy", "upbeat", "vivid", "warm",
  "wise", "witty", "young", "zesty",
];

const NOUNS = [
  "alder", "ash", "aspen", "beech", "birch", "cedar", "cypress", "elm", "fir", "hazel",
  "holly", "juniper", "larch", "linden", "maple", "oak", "olive", "pine", "poplar", "rowan",
  "spruce", "willow", "yew", "albatross", "bittern", "bunting", "buzzard", "crane", "curlew",
  "dipper", "dunlin", "egret", "falcon", "finch", "gannet", "godwit", "heron", "hobby", "ibis",
  "jay", "kestrel", "kite", "lapwing", "linnet", "magpie", "merlin", "nightjar", "osprey",
  "owl", "pipit", "plover", "puffin", "raven", "redstart", "robin", "shrike", "siskin",
  "skylark", "sparrow", "starling", "swallow", "swift", "tern", "thrush", "wagtail", "wren",
];

/** 32 random bytes as 64 lowercase hex characters. */
export function newContainerId(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return Array.from(random(32), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A docker-style name; `taken` says which are in use, and a digit is added after 8 tries. */
export function generateName(taken: (name: string) => boolean, rand: () => number = Math.random): string {
  const pick = (list: string[]) => list[Math.floor(rand() * list.length)]!;
  for (let attempt = 0; attempt < 64; attempt++) {
    const base = `${pick(ADJECTIVES)}_${pick(NOUNS)}`;
    const name = attempt < 8 ? base : `${base}${Math.floor(rand() * 100)}`;
    if (!taken(name)) return name;
  }
  throw new HuskError("could not generate a free container name", "pass --name");
}

export function checkName(name: string): string {
  const n = name.startsWith("/") ? name.slice(1) : name;
  if (!NAME_RE.test(n))
    throw new HuskError(`invalid container name "${name}"`, "names start with a letter or digit and contain only letters, digits, '_', '.' and '-'", 125);
  return n;
}
