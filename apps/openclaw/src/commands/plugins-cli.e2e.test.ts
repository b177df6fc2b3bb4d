import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeOpenAIServer, freePort, openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// docs/contributing/add-a-channel.md, step by step, with the BUILT CLI: `npm init`, the files the
// guide shows, `openclaw plugins install ./my-channel`, the gateway started, a message typed into
// the guide's chat server → through the plugin → the agent (testkit's fake OpenAI) → the reply
// out through the plugin. A second installed plugin that throws on import is reported in
// `plugins list` and `channels status`, and does not stop the first.
const cli = join(import.meta.dirname, "../../dist/cli.js");
const guide = join(import.meta.dirname, "../../../../docs/contributing/add-a-channel.md");

let dir: string;
let env: NodeJS.ProcessEnv;
let model: FakeOpenAIServer;
const children: ChildProcess[] = [];

type Result = { code: number; stdout: string; stderr: string };

function exec(command: string, args: string[], cwd: string): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}
const openclaw = (...args: string[]) => exec(process.execPath, [cli, ...args], dir);

/** Start a process and resolve with the first match of `pattern` in its output. */
function startUntil(args: string[], pattern: RegExp, extraEnv: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, args, { cwd: dir, env: { ...env, ...extraEnv } });
  children.push(child);
  let output = "";
  const watchers: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const watcher of [...watchers]) {
      const match = output.match(watcher.pattern);
      if (match) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(match);
      }
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const waitFor = (wanted: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      watchers.push({ pattern: wanted, resolve });
      onData(Buffer.alloc(0));
      child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}:\n${output}`)));
    });
  return { child, ready: waitFor(pattern), waitFor, output: () => output };
}

/** The `file=<name>` code blocks of the guide. */
async function guideFiles(): Promise<Record<string, string>> {
  const text = await readFile(guide, "utf8");
  const files: Record<string, string> = {};
  for (const match of text.matchAll(/```\w+ file=(\S+)\n([\s\S]*?)```/g)) files[match[1]!] = match[2]!;
  return files;
}

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`build the CLI first: ${cli} is missing`);
  dir = await mkdtemp(join(tmpdir(), "openclaw-plugin-guide-"));
  env = { PATH: process.env.PATH, HOME: join(dir, "home"), NO_COLOR: "1" };
  await mkdir(join(dir, "home"));
  model = await startFakeOpenAI();
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("add-a-channel.md: a third-party channel plugin, from npm init to a reply", () => {
  it("installs with `openclaw plugins install ./my-channel`, answers through the gateway, and a broken plugin stays contained", async () => {
    const files = await guideFiles();
    expect(Object.keys(files).sort()).toEqual(["fake-chat-server.mjs", "index.js", "openclaw.plugin.json"]);
    // 1. the package
    const pkg = join(dir, "my-channel");
    await mkdir(pkg);
    expect((await exec("npm", ["init", "-y"], pkg)).code).toBe(0);
    expect(
      (await exec("npm", ["pkg", "set", "type=module", "openclaw.extensions[0]=./index.js"], pkg)).code,
    ).toBe(0);
    // 2, 3. the manifest and the module
    await writeFile(join(pkg, "openclaw.plugin.json"), files["openclaw.plugin.json"]!);
    await writeFile(join(pkg, "index.js"), files["index.js"]!);
    await writeFile(join(dir, "fake-chat-server.mjs"), files["fake-chat-server.mjs"]!);

    // 4. install it, and a plugin whose import throws
    const installed = await openclaw("plugins", "install", "./my-channel");
    expect(installed.stderr).toBe("");
    expect(installed.stdout).toContain("Installed channel plugin my-channel v1.0.0");
    expect(existsSync(join(dir, "home/.openclaw/extensions/my-channel/index.js"))).toBe(true);
    const broken = join(dir, "broken-chat");
    await mkdir(broken);
    await writeFile(
      join(broken, "openclaw.plugin.json"),
      JSON.stringify({ id: "broken-chat", kind: "channel" }),
    );
    await writeFile(
      join(broken, "package.json"),
      JSON.stringify({
        name: "broken-chat",
        version: "0.0.1",
        type: "module",
        openclaw: { extensions: ["./index.js"] },
      }),
    );
    await writeFile(join(broken, "index.js"), 'throw new Error("broken on purpose");\n');
    const brokenInstall = await openclaw("plugins", "install", "./broken-chat");
    expect(brokenInstall.code).toBe(1);
    expect(brokenInstall.stdout).toMatch(/does not load: PLUGIN_IMPORT_FAILED: .*broken on purpose/);

    const list = await openclaw("plugins", "list");
    expect(list.code).toBe(1);
    expect(list.stdout).toMatch(
      /^my-channel {2}channel {2}installed {2}v1\.0\.0 {2}ok {2}\[channel my-channel\]$/m,
    );
    expect(list.stdout).toMatch(/^broken-chat .* error PLUGIN_IMPORT_FAILED: .*broken on purpose/m);
    expect(list.stdout).toMatch(/^telegram {2}channel {2}bundled .* ok/m);

    // configure: the chat server, the channels, a model (the fake OpenAI server)
    const server = startUntil([join(dir, "fake-chat-server.mjs")], /chat server on (http:\S+)/, {
      PORT: "0",
    });
    const url = (await server.ready)[1]!;
    // the guide's two `config set` lines, then what the guide leaves to the reader (a model), all
    // at once: each write takes the config lock, so they land one after the other
    const sets = await Promise.all(
      [
        ["channels.my-channel.url", url],
        ["channels.my-channel.allowFrom", '["me"]'],
        ["channels.broken-chat", JSON.stringify({ url })],
        [
          "models.providers.fake",
          JSON.stringify({
            baseUrl: model.baseURL,
            api: "openai-completions",
            apiKey: "sk-test",
            models: [{ id: "m", name: "m" }],
          }),
        ],
        [
          "agents.defaults",
          JSON.stringify({ model: { primary: "fake/m" }, workspace: join(dir, "workspace") }),
        ],
      ].map(([path, value]) => openclaw("config", "set", path!, value!)),
    );
    expect(sets.map((result) => result.code)).toEqual([0, 0, 0, 0, 0]);

    const port = await freePort();
    env.OPENCLAW_GATEWAY_PORT = String(port); // the CLI's client commands find it there
    // gateway not running yet: `channels status` reads the local config and still names the broken plugin
    const offline = JSON.parse((await openclaw("channels", "status", "--json")).stdout) as {
      source: string;
      channels: Record<string, { accounts: { lastError: string | null }[] }>;
    };
    expect(offline.source).toMatch(/local config/);
    expect(offline.channels["broken-chat"]?.accounts[0]?.lastError).toMatch(
      /PLUGIN_IMPORT_FAILED: .*broken on purpose/,
    );
    expect(offline.channels["my-channel"]?.accounts[0]?.lastError).toBeNull();

    // start the gateway; type a message into the chat server
    const gateway = startUntil([cli, "gateway", "--port", String(port)], /OpenClaw gateway listening/);
    await gateway.ready;
    await gateway.waitFor(/plugin broken-chat not loaded: .*broken on purpose/);
    model.enqueue(openaiChatReply({ text: ["Bonjour from the agent"] }));
    server.child.stdin?.write("hello\n");
    await server.waitFor(/reply to me: "Bonjour from the agent"/);
    const request = (await model.waitForRequest(0)).body as {
      messages: { role: string; content: unknown }[];
    };
    expect(JSON.stringify(request.messages.at(-1))).toContain("hello");

    const status = await openclaw("channels", "status", "--json");
    expect(status.code).toBe(0);
    const channels = JSON.parse(status.stdout).channels as Record<
      string,
      { accounts: { running: boolean; connected: boolean; lastError: string | null }[] }
    >;
    expect(channels["my-channel"]?.accounts[0]).toMatchObject({ running: true, connected: true });
    expect(channels["broken-chat"]?.accounts[0]?.running).toBe(false);
    expect(channels["broken-chat"]?.accounts[0]?.lastError).toMatch(
      /plugin "broken-chat" not loaded: PLUGIN_IMPORT_FAILED: .*broken on purpose/,
    );
    const human = await openclaw("channels", "status");
    expect(human.stdout).toMatch(/my-channel\/default: connected/);
  }, 60_000);
});
