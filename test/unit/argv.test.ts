import { describe, expect, test } from "bun:test";
import { normalizeArgv } from "../../src/cli/argv.ts";

describe("normalizeArgv", () => {
  test("moves runc-style global flags after the verb", () => {
    expect(normalizeArgv("husk", ["oci", "--root", "/r", "--log", "/l.json", "--log-format=json", "create", "--bundle", "b", "id"])).toEqual([
      "oci", "create", "--root", "/r", "--log", "/l.json", "--log-format", "json", "--bundle", "b", "id",
    ]);
  });
  test("husk-oci and runc names imply the oci face", () => {
    expect(normalizeArgv("/usr/bin/husk-oci", ["state", "x"])).toEqual(["oci", "state", "x"]);
    expect(normalizeArgv("/tmp/runc", ["--debug", "list"])).toEqual(["oci", "list", "--debug"]);
  });
  test("--criu and --rootless are accepted and dropped", () => {
    expect(normalizeArgv("husk", ["oci", "--rootless", "auto", "--criu=/x", "spec", "--rootless"])).toEqual(["oci", "spec", "--rootless"]);
  });
  test("engine commands pass through untouched", () => {
    expect(normalizeArgv("husk", ["--version"])).toEqual(["--version"]);
  });
  test("arguments after the verb are not reordered", () => {
    expect(normalizeArgv("husk", ["oci", "exec", "id", "--root", "x"])).toEqual(["oci", "exec", "id", "--root", "x"]);
  });
});
