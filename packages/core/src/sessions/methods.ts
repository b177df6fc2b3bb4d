import path from "node:path";
import type { CoreMethods } from "../methods/context.js";

/** The session store file of an agent (`agents/<agentId>/sessions/sessions.json`). */
function sessionsPath(stateDir: string, agentId = "main"): string {
  return path.join(stateDir, "agents", agentId, "sessions", "sessions.json");
}

/** The text parts of a transcript message, joined. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: unknown) =>
      typeof part === "object" && part !== null && "type" in part && part.type === "text" && "text" in part
        ? String(part.text)
        : "",
    )
    .join("");
}

/** `sessions.*`: list, preview and manage the session store. */
export const sessionsMethods = {
  "sessions.list": async (params, ctx) => {
    const assistant = await ctx.assistant();
    const rows = await assistant.sessions.list({
      ...(params.limit !== undefined ? { limit: params.limit } : {}),
      ...(params.activeMinutes !== undefined ? { activeMinutes: params.activeMinutes } : {}),
      ...(params.agentId ? { agentId: params.agentId } : {}),
    });
    return {
      ts: Date.now(),
      path: sessionsPath(ctx.stateDir, params.agentId ?? rows[0]?.agentId),
      count: rows.length,
      sessions: rows,
    };
  },

  "sessions.preview": async (params, ctx) => {
    const assistant = await ctx.assistant();
    const limit = params.limit ?? 12;
    const previews = await Promise.all(
      params.keys.map(async (key) => {
        if (!(await assistant.sessions.get(key))) return { key, status: "missing" as const, items: [] };
        const items = (await assistant.history(key, { limit, commands: false }))
          .filter((message) => message.role === "user" || message.role === "assistant")
          .map((message) => {
            const text = textOf(message.content);
            return {
              role: message.role,
              text:
                params.maxChars && text.length > params.maxChars
                  ? `${text.slice(0, params.maxChars)}…`
                  : text,
            };
          })
          .filter((item) => item.text !== "");
        return { key, status: items.length ? ("ok" as const) : ("empty" as const), items };
      }),
    );
    return { ts: Date.now(), previews };
  },

  /**
   * Every operator connection already receives every session's `chat` events, so a subscription
   * adds nothing to deliver; it answers as OpenClaw does so its clients proceed.
   */
  "sessions.messages.subscribe": async (params) => ({ subscribed: true, key: params.key }),
  "sessions.messages.unsubscribe": async (params) => ({ subscribed: false, key: params.key }),

  "sessions.patch": async (params, ctx) => {
    const assistant = await ctx.assistant();
    const { key, ...patch } = params;
    return { ok: true, key, entry: await assistant.sessions.patch(key, patch) };
  },

  "sessions.reset": async (params, ctx) => {
    const assistant = await ctx.assistant();
    const entry = await assistant.sessions.reset(params.key);
    return { ok: true, key: params.key, sessionId: entry.sessionId, entry };
  },

  "sessions.delete": async (params, ctx) => {
    const assistant = await ctx.assistant();
    return { ok: true, key: params.key, deleted: await assistant.sessions.delete(params.key) };
  },

  "sessions.compact": async (params, ctx) => {
    const assistant = await ctx.assistant();
    return { ok: true, key: params.key, ...(await assistant.sessions.compact(params.key)) };
  },
} satisfies CoreMethods;
