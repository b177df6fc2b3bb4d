import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "./gateway-assembly.js";

// POST /tools/invoke and GET /metrics on the real assembly, switched on by config keys
// (gateway.http.endpoints.*) with core's strict schema validating the file.
const TOKEN = "tools-token-0123456789";
let assembled: Assembled | undefined;
let cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  await assembled?.gateway.close();
  await assembled?.close();
  assembled = undefined;
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function start(config: Record<string, unknown>, extraEnv: Record<string, string> = {}) {
  const home = await mkdtemp(join(tmpdir(), "openclaw-tools-"));
  cleanup.push(() => rm(home, { recursive: true, force: true }));
  const stateDir = join(home, "state");
  const workspace = join(home, "workspace");
  await mkdir(stateDir, { recursive: true });
  await mkdir(workspace, { recursive: true });
  await writeFile(join(workspace, "notes.md"), "buy stamps\n");
  await writeFile(
    join(stateDir, "openclaw.json"),
    JSON.stringify({
      ...config,
      gateway: { auth: { token: TOKEN }, ...(config.gateway as object) },
      agents: { defaults: { workspace }, ...(config.agents as object) },
    }),
  );
  assembled = await assembleGateway({
    env: { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir, ...extraEnv },
    port: 0,
    console: false,
  });
  const address = await assembled.gateway.listen();
  const base = address.httpUrl.replace(/\/$/, "");
  const invoke = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/tools/invoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        ok: boolean;
        result?: Record<string, unknown>;
        error: { type: string; message: string };
      },
    };
  };
  return { base, workspace, invoke };
}

const enabled = { http: { endpoints: { toolsInvoke: { enabled: true } } } };

describe("POST /tools/invoke", () => {
  it("is off by default and switched on by gateway.http.endpoints.toolsInvoke.enabled", async () => {
    const off = await start({});
    const disabled = await off.invoke({ tool: "read", args: { path: "notes.md" } });
    expect(disabled.status).toBe(404);
    expect(disabled.body.error.message).toContain("gateway.http.endpoints.toolsInvoke.enabled");
    await assembled!.gateway.close();
    await assembled!.close();
    assembled = undefined;
    const on = await start({ gateway: enabled });
    const read = await on.invoke({ tool: "read", args: { path: "notes.md" } });
    expect(read).toEqual({ status: 200, body: { ok: true, result: { content: "buy stamps\n" } } });
  });

  it("the env var overrides the config (OPENCLAW_GATEWAY_TOOLS_INVOKE=0)", async () => {
    const gw = await start({ gateway: enabled }, { OPENCLAW_GATEWAY_TOOLS_INVOKE: "0" });
    expect((await gw.invoke({ tool: "read", args: { path: "notes.md" } })).status).toBe(404);
  });

  it("needs the gateway bearer token and POST", async () => {
    const gw = await start({ gateway: enabled });
    const anonymous = await fetch(`${gw.base}/tools/invoke`, { method: "POST", body: '{"tool":"read"}' });
    expect(anonymous.status).toBe(401);
    const wrong = await gw.invoke({ tool: "read" }, { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${gw.base}/tools/invoke`)).status).toBe(405);
  });

  it("denies dangerous tools by default; gateway.tools.allow re-admits, gateway.tools.deny and tools.deny refuse", async () => {
    const gw = await start({
      gateway: { ...enabled, tools: { allow: ["write"], deny: ["memory_get"] } },
      tools: { deny: ["web_fetch"] },
    });
    const exec = await gw.invoke({ tool: "exec", args: { command: "id" } });
    expect(exec.status).toBe(404);
    expect(exec.body.error.message).toMatch(/not allowed over HTTP by default.*gateway\.tools\.allow/);
    for (const tool of ["bash", "sessions_spawn", "sessions_send", "edit"])
      expect((await gw.invoke({ tool, args: {} })).status, tool).toBe(404);

    const write = await gw.invoke({ tool: "write", args: { path: "out/hello.txt", content: "hi" } });
    expect(write.status).toBe(200);
    expect(await readFile(join(gw.workspace, "out", "hello.txt"), "utf8")).toBe("hi");

    const memory = await gw.invoke({ tool: "memory_get", args: { path: "MEMORY.md" } });
    expect(memory.status).toBe(404);
    expect(memory.body.error.message).toMatch(/gateway\.tools\.deny/);
    const web = await gw.invoke({ tool: "web_fetch", args: { url: "http://example.com" } });
    expect(web.status).toBe(404);
    expect(web.body.error.message).toMatch(/tools\.deny/);
  });

  it("applies the agent's own tool policy for the session's agent", async () => {
    const gw = await start({
      gateway: enabled,
      agents: {
        list: [
          { id: "main", default: true },
          { id: "ops", tools: { deny: ["read"] } },
        ],
      },
    });
    expect((await gw.invoke({ tool: "read", args: { path: "notes.md" }, sessionKey: "main" })).status).toBe(
      200,
    );
    const ops = await gw.invoke({ tool: "read", args: { path: "notes.md" }, sessionKey: "agent:ops:main" });
    expect(ops.status).toBe(404);
    expect(ops.body.error.message).toMatch(/agents\.list\[\]\.tools/);
  });

  it("applies the provider and sub-agent layers the agent loop applies", async () => {
    const gw = await start({
      gateway: enabled,
      agents: {
        list: [
          { id: "main", default: true, model: { primary: "openai/gpt-4o-mini" } },
          { id: "writer", model: { primary: "anthropic/claude-sonnet-4-5" } },
        ],
      },
      tools: {
        byProvider: { anthropic: { deny: ["read"] } },
        subagents: { tools: { deny: ["memory_get"] } },
      },
    });
    const read = { tool: "read", args: { path: "notes.md" } };
    // the main agent's model is OpenAI's: the anthropic layer does not apply
    expect((await gw.invoke({ ...read, sessionKey: "main" })).status).toBe(200);
    const writer = await gw.invoke({ ...read, sessionKey: "agent:writer:main" });
    expect(writer.status).toBe(404);
    expect(writer.body.error.message).toMatch(/tools\.byProvider\.anthropic/);

    const memory = { tool: "memory_get", args: { path: "MEMORY.md" }, dryRun: true };
    expect((await gw.invoke({ ...memory, sessionKey: "main" })).status).toBe(200);
    const sub = await gw.invoke({ ...memory, sessionKey: "agent:main:subagent:helper" });
    expect(sub.status).toBe(404);
    expect(sub.body.error.message).toMatch(/tools\.subagents\.tools/);
    // without tools.subagents.tools a sub-agent session still cannot spawn (the loop's default)
    await assembled!.gateway.close();
    await assembled!.close();
    assembled = undefined;
    const plain = await start({ gateway: { ...enabled, tools: { allow: ["sessions_spawn"] } } });
    const spawn = await plain.invoke({
      tool: "sessions_spawn",
      args: { task: "x" },
      sessionKey: "agent:main:subagent:helper",
      dryRun: true,
    });
    expect(spawn.status).toBe(404);
    expect(spawn.body.error.message).toMatch(/tools\.subagents\.tools/);
  });

  it("unknown tool 404; bad bodies and bad args 400; tool errors 400; dryRun does not run", async () => {
    const gw = await start({ gateway: { ...enabled, tools: { allow: ["write"] } } });
    const unknown = await gw.invoke({ tool: "teleport" });
    expect(unknown).toMatchObject({ status: 404, body: { ok: false, error: { type: "not_found" } } });
    expect(unknown.body.error.message).toContain("unknown tool: teleport");

    const notJson = await gw.invoke("{not json");
    expect(notJson.status).toBe(400);
    expect((await gw.invoke({})).body.error).toMatchObject({ type: "invalid_request" });
    expect((await gw.invoke({ tool: "read", args: ["notes.md"] })).body.error.message).toMatch(
      /args must be a JSON object/,
    );
    const badArgs = await gw.invoke({ tool: "read", args: { path: 42 } });
    expect(badArgs.status).toBe(400);
    expect(badArgs.body.error.message).toMatch(/invalid args for read: path/);

    const missing = await gw.invoke({ tool: "read", args: { path: "nope.md" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ type: "tool_error" });
    expect(missing.body.error.message).toMatch(/not_found/);

    const dry = await gw.invoke({ tool: "write", args: { path: "dry.txt", content: "x" }, dryRun: true });
    expect(dry).toEqual({
      status: 200,
      body: { ok: true, result: { dryRun: true, tool: "write", allowed: true } },
    });
    await expect(readFile(join(gw.workspace, "dry.txt"), "utf8")).rejects.toThrow(/ENOENT/);
  });
});

describe("GET /metrics", () => {
  it("is off by default and on with gateway.http.endpoints.metrics.enabled", async () => {
    const off = await start({});
    const disabled = await fetch(`${off.base}/metrics`);
    expect(disabled.status).toBe(404);
    expect(await disabled.text()).toContain("gateway.http.endpoints.metrics.enabled");
    await assembled!.gateway.close();
    await assembled!.close();
    assembled = undefined;
    const on = await start({ gateway: { http: { endpoints: { metrics: { enabled: true } } } } });
    const res = await fetch(`${on.base}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^openclaw_gateway_uptime_seconds /m);
  });
});
