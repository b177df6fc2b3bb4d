import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { registerNode } from "./node.js";
import { NODE_RUN_OPTIONS, nodeRunArgs, nodeRunFlags, nodeTarget } from "./node-impl.js";

// `openclaw node run` is parsed without commander (cli.ts → nodeRunArgs) so the long-running node
// never loads it, and re-executes itself in place with its V8 flags (docs/nodes.md "Memory").

const homes: string[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

function runCommand(): Command {
  const program = new Command("openclaw").exitOverride();
  registerNode(program);
  const node = program.commands.find((command) => command.name() === "node")!;
  return node.commands.find((command) => command.name() === "run")!;
}

describe("openclaw node run without commander", () => {
  it("knows the same options as the commander command and reads them the same way", () => {
    const run = runCommand();
    expect(run.options.map((option) => option.long?.slice(2)).sort()).toEqual(
      Object.keys(NODE_RUN_OPTIONS).sort(),
    );
    const argv = [
      "--host",
      "gw.example",
      "--port",
      "19001",
      "--tls-fingerprint",
      "AB:CD",
      "--display-name",
      "build box",
      "--token",
      "t-1",
      "--tls",
    ];
    run.parseOptions(argv);
    expect(nodeRunArgs(argv)).toEqual(run.opts());
    expect(nodeRunArgs([])).toEqual({});
  });

  it("leaves help, unknown flags and stray arguments to the full program", () => {
    expect(nodeRunArgs(["--help"])).toBeUndefined();
    expect(nodeRunArgs(["--host", "x", "-h"])).toBeUndefined();
    expect(nodeRunArgs(["--hots", "x"])).toBeUndefined();
    expect(nodeRunArgs(["extra"])).toBeUndefined();
    expect(nodeRunArgs(["--port"])).toBeUndefined();
  });

  it("runs in one process with its V8 flags and never loads commander", async () => {
    const home = await mkdtemp(join(tmpdir(), "openclaw-node-run-"));
    homes.push(home);
    // a closed port: the node keeps retrying, which is all this test needs
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const loaded = join(home, "loaded.txt");
    const hook = join(home, "hook.mjs");
    await writeFile(
      hook,
      [
        'import { registerHooks } from "node:module";',
        'import { writeFileSync } from "node:fs";',
        "const seen = [];",
        "registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });",
        `process.on("exit", () => writeFileSync(${JSON.stringify(loaded)}, seen.join("\\n")));`,
      ].join("\n"),
    );
    const tsx = createRequire(join(import.meta.dirname, "../../../../package.json")).resolve("tsx");
    const child = spawn(
      process.execPath,
      [
        "--conditions=@openclaw/source",
        "--import",
        tsx,
        "--import",
        pathToFileURL(hook).href,
        join(import.meta.dirname, "../cli.ts"),
        "node",
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
      ],
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: home,
          OPENCLAW_STATE_DIR: join(home, "state"),
          NO_COLOR: "1",
        },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes("node: connect failed")) resolve();
      });
      void exited.then((code) => reject(new Error(`node run exited with ${code}: ${stderr}`)));
    });
    const { stdout } = await promisify(execFile)("ps", ["-o", "args=", "-p", String(child.pid)]);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stdout).toContain("--max-semi-space-size=1 --lite-mode --single-threaded --v8-pool-size=1");
    // ws:// verifies no certificate: Node's bundled roots are not parsed
    expect(stdout).toContain("--use-openssl-ca");
    expect(stderr).toContain(`node: connecting to ws://127.0.0.1:${port}`);
    const urls = (await readFile(loaded, "utf8")).split("\n");
    expect(urls.some((url) => url.includes("/node-host/"))).toBe(true);
    expect(urls.filter((url) => /\/(commander|zod)\/|\/packages\/core\//.test(url))).toEqual([]);
  });
});

describe("the node's flags", () => {
  it("keeps Node's bundled root certificates whenever a certificate chain is verified", () => {
    const env = { OPENCLAW_STATE_DIR: "/nonexistent/openclaw-node-flags" };
    const plain = nodeTarget({ host: "gw.example", port: "18789" }, env);
    expect(plain.url).toBe("ws://gw.example:18789");
    expect(nodeRunFlags(plain)).toContain("--use-openssl-ca");
    const verified = nodeTarget({ host: "gw.example", tls: true }, env);
    expect(verified.url).toBe("wss://gw.example:18789");
    expect(nodeRunFlags(verified)).not.toContain("--use-openssl-ca");
    const pinned = nodeTarget({ host: "gw.example", tlsFingerprint: "AB:CD" }, env);
    expect(pinned).toMatchObject({ url: "wss://gw.example:18789", tlsFingerprint: "AB:CD" });
    expect(nodeRunFlags(pinned)).toContain("--use-openssl-ca");
  });

  it("remembers the TLS pin of an earlier run", async () => {
    const home = await mkdtemp(join(tmpdir(), "openclaw-node-pin-"));
    homes.push(home);
    await writeFile(
      join(home, "node.json"),
      JSON.stringify({
        version: 1,
        gateway: { host: "gw.example", port: 19001, tls: true, tlsFingerprint: "AB:CD" },
      }),
    );
    const target = nodeTarget({}, { OPENCLAW_STATE_DIR: home });
    expect(target).toMatchObject({ url: "wss://gw.example:19001", tlsFingerprint: "AB:CD" });
    expect(nodeTarget({ tlsFingerprint: "EF:01" }, { OPENCLAW_STATE_DIR: home }).tlsFingerprint).toBe(
      "EF:01",
    );
  });
});
