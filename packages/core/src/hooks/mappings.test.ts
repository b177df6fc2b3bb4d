import { describe, expect, it } from "vitest";
import { HookMappingError, HookReplayCache, hookIdempotencyKey, resolveHookAction } from "./mappings.js";

const request = (path: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) => ({
  path,
  payload,
  headers,
  now: Date.parse("2026-05-04T10:00:00Z"),
});

describe("hooks.mappings", () => {
  const hooks = {
    mappings: [
      {
        match: { path: "github" },
        action: "agent",
        name: "GitHub {{repository.name}}",
        messageTemplate: "PR #{{pull_request.number}} by {{pull_request.user.login}}: {{pull_request.title}}",
        channel: "telegram",
        to: "42",
      },
      {
        match: { path: "alerts", source: "grafana" },
        action: "wake",
        textTemplate: "Alert: {{title}} ({{headers.x-severity}})",
      },
    ],
  };

  it("renders an agent message from the JSON payload, with delivery defaults", () => {
    const action = resolveHookAction(
      hooks,
      request("github", {
        repository: { name: "openclaw" },
        pull_request: { number: 7, title: "Fix cron", user: { login: "ada" } },
      }),
    );
    expect(action).toEqual({
      kind: "agent",
      name: "GitHub openclaw",
      message: "PR #7 by ada: Fix cron",
      deliver: true,
      channel: "telegram",
      to: "42",
    });
  });

  it("matches on path and source; wake text uses headers; no mapping → undefined", () => {
    expect(
      resolveHookAction(
        hooks,
        request("alerts", { source: "grafana", title: "disk full" }, { "x-severity": "high" }),
      ),
    ).toEqual({ kind: "wake", text: "Alert: disk full (high)", mode: "now" });
    expect(resolveHookAction(hooks, request("alerts", { source: "other", title: "x" }))).toBeUndefined();
    expect(resolveHookAction(hooks, request("nothing", {}))).toBeUndefined();
  });

  it("refuses an empty message and a payload-derived session key unless allowed", () => {
    expect(() => resolveHookAction(hooks, request("github", {}))).not.toThrow();
    expect(() =>
      resolveHookAction(
        { mappings: [{ match: { path: "x" }, messageTemplate: "{{missing}}" }] },
        request("x", {}),
      ),
    ).toThrow(HookMappingError);
    const keyed = { mappings: [{ match: { path: "x" }, messageTemplate: "hi", sessionKey: "hook:{{id}}" }] };
    expect(() => resolveHookAction(keyed, request("x", { id: "1" }))).toThrow(/allowRequestSessionKey/);
    expect(
      resolveHookAction({ ...keyed, allowRequestSessionKey: true }, request("x", { id: "1" })),
    ).toMatchObject({
      sessionKey: "hook:1",
    });
  });

  it("the idempotency key comes from the headers first, then the payload; a retry replays", async () => {
    expect(hookIdempotencyKey(request("x", { idempotencyKey: "p" }, { "idempotency-key": "h" }))).toBe("h");
    expect(hookIdempotencyKey(request("x", { idempotencyKey: "p" }))).toBe("p");
    const cache = new HookReplayCache();
    let runs = 0;
    const first = cache.run("k", async () => ++runs);
    const second = cache.run("k", async () => ++runs);
    expect(await first.result).toBe(1);
    expect(await second.result).toBe(1);
    expect(second.replayed).toBe(true);
    expect(runs).toBe(1);
  });
});
