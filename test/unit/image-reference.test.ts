import { describe, expect, test } from "bun:test";
import { canonicalReference, familiarReference, parseReference, registryEndpoint } from "../../src/image/reference.ts";

const D = `sha256:${"a".repeat(64)}`;

describe("parseReference", () => {
  test.each([
    ["busybox", "docker.io", "library/busybox", "latest", undefined],
    ["library/busybox:1.36", "docker.io", "library/busybox", "1.36", undefined],
    ["team/app", "docker.io", "team/app", "latest", undefined],
    ["127.0.0.1:5000/team/app", "127.0.0.1:5000", "team/app", "latest", undefined],
    [`127.0.0.1:5000/team/app@${D}`, "127.0.0.1:5000", "team/app", undefined, D],
    [`busybox:1.36@${D}`, "docker.io", "library/busybox", "1.36", D],
    ["localhost/app:dev", "localhost", "app", "dev", undefined],
    ["quay.io/a/b/c:v1.2_3-x", "quay.io", "a/b/c", "v1.2_3-x", undefined],
    ["registry.example.com:443/x", "registry.example.com:443", "x", "latest", undefined],
    ["my_app__x.y-z", "docker.io", "library/my_app__x.y-z", "latest", undefined],
  ])("%s", (text, registry, repository, tag, digest) => {
    expect(parseReference(text)).toEqual({ registry, repository, tag, digest });
  });

  test.each([
    ["", "empty"],
    ["Busybox", "must be lowercase"],
    ["busybox:", "is not a valid tag"],
    ["busybox:-x", "is not a valid tag"],
    ["a//b", "empty name component"],
    ["busybox@sha256:abc", "is not a digest"],
    [`busybox@sha256:${"A".repeat(64)}`, "64 lowercase hex"],
    ["bad..name", "not a valid name component"],
    ["-x", "not a valid name component"],
    [`a/${"b".repeat(260)}`, "longer than 255"],
  ])("refuses %p", (text, why) => {
    expect(() => parseReference(text)).toThrow(why);
  });
});

describe("printing", () => {
  test("canonical and familiar forms", () => {
    expect(canonicalReference(parseReference("busybox"))).toBe("docker.io/library/busybox:latest");
    expect(familiarReference(parseReference("docker.io/library/busybox:1"))).toBe("busybox:1");
    expect(familiarReference(parseReference("team/app"))).toBe("team/app:latest");
    expect(familiarReference(parseReference(`127.0.0.1:5000/x@${D}`))).toBe(`127.0.0.1:5000/x@${D}`);
  });
  test("Docker Hub's API endpoint", () => {
    expect(registryEndpoint("docker.io")).toBe("registry-1.docker.io");
    expect(registryEndpoint("127.0.0.1:5000")).toBe("127.0.0.1:5000");
  });
});

test("an uppercase first component is a registry host, as docker reads it", () => {
  expect(parseReference("MyRegistry/app").registry).toBe("MyRegistry");
});
