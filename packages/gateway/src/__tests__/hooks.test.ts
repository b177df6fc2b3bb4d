import { afterEach, describe, expect, it } from "vitest";
import { type Started, startGateway, TOKEN } from "./helpers.js";

// Webhooks (spec §2): POST <hooks.path>/wake and /agent with the hooks token, their own
// auth-failure limiter (20 per 60 s) separate from the gateway's, a 256 KB body cap.
const HOOK_TOKEN = "hook-token-abcdef123456";
let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

async function start(hooks: Record<string, unknown>) {
  gw = await startGateway({
    gateway: {
      auth: { mode: "token", token: TOKEN },
      http: { endpoints: { chatCompletions: { enabled: true } } },
    },
    hooks,
  });
  const base = gw.address.httpUrl.replace(/\/$/, "");
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { base, post };
}

describe("hooks", () => {
  it("are off unless hooks.enabled", async () => {
    const { post } = await start({ token: HOOK_TOKEN });
    expect((await post("/hooks/wake", { text: "x" }, { authorization: `Bearer ${HOOK_TOKEN}` })).status).toBe(
      404,
    );
  });

  it("/hooks/wake and /hooks/agent run with the hooks token; the agent run happens", async () => {
    const { post } = await start({ enabled: true, token: HOOK_TOKEN });
    const wake = await post(
      "/hooks/wake",
      { text: "new mail", mode: "now" },
      { authorization: `Bearer ${HOOK_TOKEN}` },
    );
    expect(wake.status).toBe(200);
    expect(await wake.json()).toMatchObject({ ok: true, mode: "now" });

    const agent = await post(
      "/hooks/agent",
      { message: "summarize the mail" },
      { "x-openclaw-token": HOOK_TOKEN },
    );
    expect(agent.status).toBe(202);
    const accepted = (await agent.json()) as { ok: boolean; runId: string; sessionKey: string };
    expect(accepted.sessionKey).toMatch(/^hook:[0-9a-f-]{36}$/);
    const waited = await gw!.gateway.call("agent.wait", { runId: accepted.runId });
    expect(waited.status).toBe("ok");
    const history = await gw!.gateway.call("chat.history", { sessionKey: accepted.sessionKey });
    expect((history.messages as { role: string }[]).map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("a custom hooks.path, defaultSessionKey and allowRequestSessionKey", async () => {
    const { post } = await start({
      enabled: true,
      token: HOOK_TOKEN,
      path: "/webhooks/",
      defaultSessionKey: "hook:inbox",
    });
    const auth = { authorization: `Bearer ${HOOK_TOKEN}` };
    const agent = await post("/webhooks/agent", { message: "hi" }, auth);
    expect(agent.status).toBe(202);
    expect((await agent.json()).sessionKey).toBe("hook:inbox");
    const chosen = await post("/webhooks/agent", { message: "hi", sessionKey: "agent:main:main" }, auth);
    expect(chosen.status).toBe(400);
    expect((await chosen.json()).error.message).toMatch(/hooks\.allowRequestSessionKey/);
    expect((await post("/hooks/agent", { message: "hi" }, auth)).status).toBe(404);
  });

  it("hooks.allowedAgentIds restricts agentId", async () => {
    const { post } = await start({ enabled: true, token: HOOK_TOKEN, allowedAgentIds: ["mail"] });
    const auth = { authorization: `Bearer ${HOOK_TOKEN}` };
    const denied = await post("/hooks/agent", { message: "hi", agentId: "ops" }, auth);
    expect(denied.status).toBe(400);
    expect((await denied.json()).error.message).toContain("hooks.allowedAgentIds");
    expect((await post("/hooks/agent", { message: "hi", agentId: "mail" }, auth)).status).toBe(202);
  });

  it("bad input: wrong or URL token 401, missing fields 400, bad JSON 400, unknown hook 404, GET 405, >256 KB 413", async () => {
    const { base, post } = await start({ enabled: true, token: HOOK_TOKEN });
    const auth = { authorization: `Bearer ${HOOK_TOKEN}` };
    expect((await post("/hooks/wake", { text: "x" }, { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await post(`/hooks/wake?token=${HOOK_TOKEN}`, { text: "x" })).status).toBe(401);
    // the gateway token is not the hooks token
    expect((await post("/hooks/wake", { text: "x" }, { authorization: `Bearer ${TOKEN}` })).status).toBe(401);
    expect((await post("/hooks/wake", {}, auth)).status).toBe(400);
    expect((await post("/hooks/agent", { message: "  " }, auth)).status).toBe(400);
    expect((await post("/hooks/agent", "{oops", auth)).status).toBe(400);
    expect((await post("/hooks/teleport", { text: "x" }, auth)).status).toBe(404);
    expect((await fetch(`${base}/hooks/wake`, { headers: auth })).status).toBe(405);
    const big = await post("/hooks/agent", { message: "x".repeat(300 * 1024) }, auth);
    expect(big.status).toBe(413);
  });

  it("failed hook auth is rate-limited on its own: 429 after 20 failures, the gateway token still works", async () => {
    const { base, post } = await start({ enabled: true, token: HOOK_TOKEN });
    for (let attempt = 0; attempt < 20; attempt++)
      expect((await post("/hooks/wake", { text: "x" }, { authorization: "Bearer nope" })).status).toBe(401);
    const limited = await post("/hooks/wake", { text: "x" }, { authorization: `Bearer ${HOOK_TOKEN}` });
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.type).toBe("rate_limited");
    // the gateway's own limiter did not count those failures
    const completions = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: "{}",
    });
    expect(completions.status).toBe(400);
    expect((await completions.json()).error.message).toMatch(/user message/);
  });
});
