import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Started, startGateway, TOKEN } from "./helpers.js";

let gw: Started;
let base: string;
beforeAll(async () => {
  gw = await startGateway(
    {
      gateway: {
        auth: { mode: "token", token: TOKEN },
        http: { endpoints: { chatCompletions: { enabled: true } } },
      },
      hooks: { enabled: true, token: "hook-token-123456" },
    },
    { http: { metrics: true, toolsInvoke: true }, headersTimeoutMs: 300, requestTimeoutMs: 1000 },
  );
  base = gw.address.httpUrl.replace(/\/$/, "");
});
afterAll(async () => {
  await gw.stop();
});

describe("HTTP surface", () => {
  it("/health and /healthz answer like OpenClaw", async () => {
    for (const path of ["/health", "/healthz"]) {
      const res = await fetch(base + path);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('{"ok":true,"status":"live"}');
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  it("/ready and /readyz carry event-loop figures", async () => {
    for (const path of ["/ready", "/readyz"]) {
      const body = await (await fetch(base + path)).json();
      expect(body).toMatchObject({ ready: true, failing: [] });
      expect(body.eventLoop).toHaveProperty("delayP99Ms");
      expect(body.uptimeMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("/api/health answers {status: healthy} for the troubleshooting guides", async () => {
    const res = await fetch(`${base}/api/health`);
    expect(await res.json()).toEqual({ status: "healthy" });
  });

  it("serves the Control UI placeholder at / with security headers", async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(await res.text()).toContain("OpenClaw");
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });

  it("POST /v1/chat/completions needs the bearer token", async () => {
    const res = await fetch(`${base}/v1/chat/completions`, { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { message: "Unauthorized", type: "unauthorized" } });
  });

  it("POST /v1/chat/completions answers with the agent's reply (non-streaming)", async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openclaw:main", messages: [{ role: "user", content: "hi there" }] }),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0].message).toEqual({ role: "assistant", content: "echo: hi there" });
  });

  it("POST /v1/chat/completions: a short or mixed-case session key and user land in canonical sessions", async () => {
    const ask = async (headers: Record<string, string>, extra: Record<string, unknown> = {}) => {
      const res = await fetch(`${base}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, ...headers },
        body: JSON.stringify({
          model: "openclaw:main",
          messages: [{ role: "user", content: "ping" }],
          ...extra,
        }),
      });
      expect(res.status).toBe(200);
      return (await res.json()).choices[0].message.content as string;
    };
    expect(await ask({ "x-openclaw-session-key": "Main" })).toBe("echo: ping");
    expect(await ask({}, { user: "Alice" })).toBe("echo: ping");
    const rows = (await gw.gateway.call("sessions.list", {})).sessions;
    expect(rows.map((row) => row.key)).toEqual(
      expect.arrayContaining(["agent:main:main", "agent:main:openai:alice"]),
    );
  });

  it("POST /v1/chat/completions streams SSE ending in data: [DONE]", async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        model: "openclaw:main",
        stream: true,
        messages: [{ role: "user", content: "stream me" }],
      }),
    });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = await res.text();
    const events = text.trim().split("\n\n");
    expect(events.at(-1)).toBe("data: [DONE]");
    const content = events
      .slice(0, -1)
      .map((event) => JSON.parse(event.slice(6)).choices[0].delta.content ?? "")
      .join("");
    expect(content).toBe("echo: stream me");
  });

  it("POST /tools/invoke: 405 for GET, 401 without auth, 404 for an unknown tool", async () => {
    expect((await fetch(`${base}/tools/invoke`)).status).toBe(405);
    expect((await fetch(`${base}/tools/invoke`, { method: "POST", body: "{}" })).status).toBe(401);
    const res = await fetch(`${base}/tools/invoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ tool: "nope" }),
    });
    expect(res.status).toBe(404);
    expect((await res.json()).ok).toBe(false);
  });

  it("/hooks/wake and /hooks/agent need the hooks token (never from the URL)", async () => {
    expect(
      (await fetch(`${base}/hooks/wake?token=hook-token-123456`, { method: "POST", body: '{"text":"x"}' }))
        .status,
    ).toBe(401);
    const wake = await fetch(`${base}/hooks/wake`, {
      method: "POST",
      headers: { authorization: "Bearer hook-token-123456" },
      body: '{"text":"ping"}',
    });
    expect(wake.status).toBe(200);
    const agent = await fetch(`${base}/hooks/agent`, {
      method: "POST",
      headers: { "x-openclaw-token": "hook-token-123456" },
      body: '{"message":"do it"}',
    });
    expect(agent.status).toBe(202);
    const body = await agent.json();
    expect(body.sessionKey).toMatch(/^hook:/);
    expect(body.runId).toBeTruthy();
  });

  it("/metrics serves Prometheus text", async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get("content-type")).toMatch(/text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^# HELP openclaw_gateway_uptime_seconds/m);
    expect(text).toMatch(/^openclaw_process_resident_memory_bytes \d+$/m);
  });

  it("cuts off an oversized body with 413", async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: "x".repeat(3 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
  });

  it("cuts off a slow-loris client that never finishes its headers", async () => {
    const socket = connect(gw.address.port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\n");
    const interval = setInterval(() => socket.writable && socket.write("X-Slow: 1\r\n"), 100);
    const response = await new Promise<string>((resolve) => {
      let data = "";
      socket.on("data", (chunk) => {
        data += chunk.toString();
      });
      socket.on("close", () => resolve(data));
    });
    clearInterval(interval);
    expect(response).toMatch(/^HTTP\/1\.1 408/);
  });
});
