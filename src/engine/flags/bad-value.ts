// Every bad flag value is one line and exit code 125, as docker does.
import { HuskError } from "../../runtime/errors.ts";

export function badValue(flag: string, value: string, expected: string, hint?: string): HuskError {
  return new HuskError(`invalid value "${value}" for ${flag}: ${expected}`, hint, 125);
}
