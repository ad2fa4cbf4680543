export {};
// Tiny TCP server and client run inside test network namespaces (ip netns exec ... bun).
//   bun tcp-probe.ts server PORT NAME   answers every connection with "NAME <peer address>"
//   bun tcp-probe.ts client HOST PORT   prints what the server said
const [mode, a, b] = process.argv.slice(2);
if (mode === "server") {
  Bun.listen({
    hostname: "0.0.0.0",
    port: Number(a),
    socket: {
      open(s) {
        s.write(`${b} ${s.remoteAddress}\n`);
        s.end();
      },
      data() {},
    },
  });
  console.log("ready");
} else {
  let got = "";
  await Bun.connect({
    hostname: a!,
    port: Number(b),
    socket: {
      data(_s, d) {
        got += d.toString();
      },
      close() {
        process.stdout.write(got);
        process.exit(got ? 0 : 1);
      },
      connectError(_s, e) {
        console.error(`connect ${a}:${b}: ${e.message}`);
        process.exit(2);
      },
    },
  });
  setTimeout(() => {
    console.error("timed out");
    process.exit(3);
  }, 5000);
}
