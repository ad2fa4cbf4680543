// docker's -v / --mount / --tmpfs syntaxes, table-driven: what each form becomes, and the
// one-line error (exit 125) for every bad value.
import { describe, expect, test } from "bun:test";
import { HuskError } from "../../src/runtime/errors.ts";
import { parseMountFlag, parseTmpfs, parseVolume, splitCsv } from "../../src/volume/mount-spec.ts";

function errorOf(fn: () => unknown): HuskError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HuskError);
    return e as HuskError;
  }
  throw new Error("expected an error");
}

describe("-v", () => {
  const good: [string, object][] = [
    ["/srv:/data", { Type: "bind", Source: "/srv", Target: "/data", ReadOnly: false, Options: [] }],
    ["/srv/./x/:/data/:ro", { Type: "bind", Source: "/srv/x/", Target: "/data", ReadOnly: true, Options: [] }],
    ["/srv:/data:rw,rshared", { Type: "bind", Source: "/srv", Target: "/data", ReadOnly: false, Options: ["rshared"] }],
    ["/srv:/data:z", { Type: "bind", Source: "/srv", Target: "/data", ReadOnly: false, Options: [] }],
    ["/srv:/data:Z,ro,rprivate", { Type: "bind", Source: "/srv", Target: "/data", ReadOnly: true, Options: ["rprivate"] }],
    ["cache:/var/cache", { Type: "volume", Source: "cache", Target: "/var/cache", ReadOnly: false, Options: [] }],
    ["db.v_1-x:/db:ro,nocopy", { Type: "volume", Source: "db.v_1-x", Target: "/db", ReadOnly: true, Options: [], VolumeOptions: { NoCopy: true } }],
    ["/scratch", { Type: "volume", Source: "", Target: "/scratch", ReadOnly: false, Options: [] }],
  ];
  for (const [spec, want] of good) test(`ok: ${spec}`, () => expect(parseVolume(spec)).toEqual(want as never));

  const bad: [string, RegExp][] = [
    ["rel", /container path must be absolute/],
    ["/a:rel", /container path must be absolute/],
    ["/a:/", /cannot mount over the container's \//],
    ["/a:/b:bogus", /unknown option "bogus"/],
    ["/a:/b:ro,rw", /ro and rw conflict/],
    ["/a:/b:shared,slave", /two propagation modes/],
    ["vol:/b:rshared", /propagation "rshared" applies to bind mounts only/],
    ["/a:/b:nocopy", /nocopy applies to volumes only/],
    ["/a:/b:", /empty options/],
    ["/a:/b:ro,,rw", /an empty option/],
    [":/b", /the source is empty/],
    ["x:/b", /at least 2 characters/],
    ["./rel:/b", /starts with a letter or digit.*hint: a bind mount source must be an absolute host path/],
    ["a/b:/c", /hint: a bind mount source must be an absolute host path/],
    ["/a:/b:/c:ro", /expected SOURCE:TARGET\[:OPTIONS\]/],
  ];
  for (const [spec, re] of bad)
    test(`bad: ${spec}`, () => {
      const e = errorOf(() => parseVolume(spec));
      expect(e.exitCode).toBe(125);
      expect(e.render()).toMatch(re);
      expect(e.render()).toContain(`"${spec}" for --volume`);
      expect(e.render()).not.toContain("\n");
    });
});

describe("--mount", () => {
  const good: [string, object][] = [
    ["type=bind,source=/x,target=/y,readonly", { Type: "bind", Source: "/x", Target: "/y", ReadOnly: true, Options: [] }],
    ["type=bind,src=/x,dst=/y,ro=false,bind-propagation=rslave", { Type: "bind", Source: "/x", Target: "/y", ReadOnly: false, Options: ["rslave"] }],
    ["source=v1,target=/d", { Type: "volume", Source: "v1", Target: "/d", ReadOnly: false, Options: [] }],
    ["type=volume,target=/anon,volume-nocopy", { Type: "volume", Source: "", Target: "/anon", ReadOnly: false, Options: [], VolumeOptions: { NoCopy: true } }],
    [
      'type=volume,src=tv,dst=/t,volume-driver=local,volume-opt=type=tmpfs,volume-opt=device=tmpfs,"volume-opt=o=size=1m,mode=1777",volume-label=a=b',
      {
        Type: "volume", Source: "tv", Target: "/t", ReadOnly: false, Options: [],
        VolumeOptions: { Labels: { a: "b" }, DriverConfig: { Name: "local", Options: { type: "tmpfs", device: "tmpfs", o: "size=1m,mode=1777" } } },
      },
    ],
    ["type=tmpfs,destination=/t,tmpfs-size=1m,tmpfs-mode=1770", { Type: "tmpfs", Source: "", Target: "/t", ReadOnly: false, Options: ["size=1048576", "mode=1770"] }],
    ["type=tmpfs,target=/t,consistency=cached", { Type: "tmpfs", Source: "", Target: "/t", ReadOnly: false, Options: [] }],
  ];
  for (const [spec, want] of good) test(`ok: ${spec}`, () => expect(parseMountFlag(spec)).toEqual(want as never));

  const bad: [string, RegExp][] = [
    ["type=nfs,target=/x", /type must be bind, volume or tmpfs/],
    ["type=bind,source=rel,target=/x", /absolute source/],
    ["type=bind,target=/x", /a bind mount needs a source/],
    ["type=bind,source=/a,target=/x,colour=red", /unknown field "colour"/],
    ["type=bind,source=/a", /a container path is required/],
    ["type=bind,source=/a,target=/x,readonly=maybe", /readonly takes true or false/],
    ["type=bind,source=/a,target=/x,bind-propagation=sideways", /bind-propagation is one of/],
    ["type=bind,source=/a,target=/x,volume-driver=foo", /volume-driver applies to type=volume only/],
    ["type=volume,target=/x,tmpfs-size=1m", /tmpfs-size applies to type=tmpfs only/],
    ["type=tmpfs,target=/x,bind-propagation=shared", /bind-propagation applies to type=bind only/],
    ["type=tmpfs,source=a,target=/x", /a tmpfs mount takes no source/],
    ["type=tmpfs,target=/x,tmpfs-mode=rwx", /tmpfs-mode is an octal mode/],
    ["type=tmpfs,target=/x,tmpfs-size=lots", /expected a size/],
    ["type=volume,target=/x,volume-opt=novalue", /volume-opt takes KEY=VALUE/],
    ["type=volume,source=a b,target=/x", /a volume name/],
    ["type=volume,target=/x,target=/y", /target is given twice/],
    ["type=volume,target=/x,source=", /source needs a value/],
    ['type=volume,target=/x,"volume-opt=o=a', /unclosed double quote/],
  ];
  for (const [spec, re] of bad)
    test(`bad: ${spec}`, () => {
      const e = errorOf(() => parseMountFlag(spec));
      expect(e.exitCode).toBe(125);
      expect(e.render()).toMatch(re);
      expect(e.render()).not.toContain("\n");
    });

  test("CSV: quotes group commas, doubled quotes are one quote", () => {
    expect(splitCsv("--mount", 'a,"b,c",d')).toEqual(["a", "b,c", "d"]);
    expect(splitCsv("--mount", '"x=""y"""')).toEqual(['x="y"']);
  });
});

describe("--tmpfs", () => {
  const good: [string, [string, string]][] = [
    ["/run", ["/run", ""]],
    ["/run:rw,size=64m,mode=1777", ["/run", "rw,size=64m,mode=1777"]],
    ["/t:size=50%,uid=1000,gid=1000,nr_inodes=4k,noexec,nosuid,nodev", ["/t", "size=50%,uid=1000,gid=1000,nr_inodes=4k,noexec,nosuid,nodev"]],
  ];
  for (const [spec, want] of good) test(`ok: ${spec}`, () => expect(parseTmpfs(spec)).toEqual(want));

  const bad: [string, RegExp][] = [
    ["run", /container path must be absolute/],
    ["/run:exec=maybe", /unknown tmpfs option "exec"/],
    ["/run:bogus", /unknown tmpfs option "bogus"/],
    ["/run:size=big", /size "big" is not a size/],
    ["/run:mode=999", /mode "999" is not an octal mode/],
    ["/run:uid=root", /uid "root" is not a number/],
    ["/run:nr_inodes=many", /nr_inodes "many" is not a count/],
  ];
  for (const [spec, re] of bad)
    test(`bad: ${spec}`, () => {
      const e = errorOf(() => parseTmpfs(spec));
      expect(e.exitCode).toBe(125);
      expect(e.render()).toMatch(re);
    });
});
