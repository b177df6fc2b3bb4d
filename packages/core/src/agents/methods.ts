import { withFinalResult } from "@openclaw/protocol/base";
import type { ReplyResult } from "../agent/events.js";
import { imageAttachments, mediaMaxBytes } from "../chat/attachments.js";
import { trackRun } from "../chat/runs.js";
import type { CoreMethods, MethodContext } from "../methods/context.js";

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `agents.list` entries (`agents.list` in the config; `main` when none is listed). */
function configuredAgents(config: Tree): { list: Tree[]; defaultId: string } {
  const agents = isTree(config.agents) ? config.agents : {};
  const list = (Array.isArray(agents.list) ? agents.list : []).filter(
    (entry): entry is Tree => isTree(entry) && typeof entry.id === "string",
  );
  const chosen = list.find((entry) => entry.default === true) ?? list[0];
  return { list: list.length > 0 ? list : [{ id: "main" }], defaultId: String(chosen?.id ?? "main") };
}

function sessionSettings(config: Tree): { mainKey: string; scope: "per-sender" | "global" } {
  const session = isTree(config.session) ? config.session : {};
  return {
    mainKey: typeof session.mainKey === "string" && session.mainKey ? session.mainKey : "main",
    scope: session.scope === "global" ? "global" : "per-sender",
  };
}

function modelOf(value: unknown): { primary?: string; fallbacks?: string[] } | undefined {
  if (typeof value === "string") return { primary: value };
  if (!isTree(value)) return undefined;
  return {
    ...(typeof value.primary === "string" ? { primary: value.primary } : {}),
    ...(Array.isArray(value.fallbacks) ? { fallbacks: value.fallbacks.map(String) } : {}),
  };
}

/** The final `agent` answer, in OpenClaw's shape (`status`, `summary`, `result.payloads`). */
function finalAnswer(runId: string, sessionKey: string, reply: ReplyResult, startedAt: number) {
  const status =
    reply.status === "error"
      ? ("error" as const)
      : reply.status === "aborted"
        ? ("aborted" as const)
        : ("ok" as const);
  return {
    runId,
    sessionKey,
    status,
    summary: status === "ok" ? "completed" : status === "aborted" ? "aborted" : reply.text,
    ...(status === "error" ? { error: reply.error?.message ?? reply.text } : {}),
    text: reply.text,
    result: {
      payloads: reply.payloads.map((payload) => ({ text: payload.text, mediaUrl: null })),
      meta: {
        durationMs: Date.now() - startedAt,
        aborted: status === "aborted",
        agentMeta: {
          ...(reply.model ? { model: reply.model } : {}),
          ...(reply.usage ? { usage: reply.usage } : {}),
        },
      },
    },
  };
}

/** `agent` / `agent.wait`, `agents.list`, `agent.identity.get`. */
export const agentsMethods = {
  /**
   * One agent turn. Answers twice on the request id, as OpenClaw does: the `accepted` ack at once,
   * then the final answer when the run ends (clients use `expectFinal`). The run id is the
   * request's `idempotencyKey`.
   */
  agent: async (params, ctx) => {
    const images = imageAttachments(params.attachments, mediaMaxBytes(ctx.config()));
    const assistant = await ctx.assistant();
    const model = params.model
      ? params.provider && !params.model.includes("/")
        ? `${params.provider}/${params.model}`
        : params.model
      : undefined;
    const startedAt = Date.now();
    const handle = assistant.submit({
      text: params.message,
      idempotencyKey: params.idempotencyKey,
      ...(params.sessionKey ? { sessionKey: params.sessionKey } : {}),
      ...(params.agentId ? { agentId: params.agentId } : {}),
      ...(params.thinking ? { thinking: params.thinking } : {}),
      ...(model ? { model } : {}),
      ...(params.extraSystemPrompt ? { extraSystemPrompt: params.extraSystemPrompt } : {}),
      ...(images.length ? { images } : {}),
    });
    trackRun(assistant, handle.result);
    const final = handle.result.then((reply) =>
      finalAnswer(handle.messageId, handle.sessionKey, reply, startedAt),
    );
    return withFinalResult(
      {
        runId: handle.messageId,
        sessionKey: handle.sessionKey,
        ...(params.agentId ? { agentId: params.agentId } : {}),
        status: handle.duplicate ? ("in_flight" as const) : ("accepted" as const),
        acceptedAt: Date.now(),
      },
      final,
    );
  },

  "agent.wait": async (params, ctx) => {
    const assistant = await ctx.assistant();
    const status = await assistant.waitForRun(params.runId, params.timeoutMs);
    return { runId: params.runId, ...status };
  },

  "agents.list": async (_params, ctx) => {
    const config = ctx.config();
    const { list, defaultId } = configuredAgents(config);
    const defaults = isTree(config.agents) && isTree(config.agents.defaults) ? config.agents.defaults : {};
    return {
      defaultId,
      ...sessionSettings(config),
      agents: list.map((entry) => {
        const model = modelOf(entry.model) ?? (entry.id === defaultId ? modelOf(defaults.model) : undefined);
        const identity = isTree(entry.identity) ? entry.identity : undefined;
        return {
          id: String(entry.id),
          ...(typeof entry.name === "string" && entry.name ? { name: entry.name } : {}),
          ...(typeof entry.workspace === "string" && entry.workspace ? { workspace: entry.workspace } : {}),
          ...(model && Object.keys(model).length > 0 ? { model } : {}),
          ...(identity
            ? {
                identity: {
                  ...(typeof identity.name === "string" ? { name: identity.name } : {}),
                  ...(typeof identity.emoji === "string" ? { emoji: identity.emoji } : {}),
                },
              }
            : {}),
        };
      }),
    };
  },

  "agent.identity.get": async (params, ctx) => identityOf(ctx, params.agentId, params.sessionKey),
} satisfies CoreMethods;

function identityOf(ctx: MethodContext, agentId?: string, sessionKey?: string) {
  const config = ctx.config();
  const { list, defaultId } = configuredAgents(config);
  const fromKey = sessionKey?.match(/^agent:([^:]+):/)?.[1];
  const id = (agentId ?? fromKey ?? defaultId).toLowerCase();
  const entry = list.find((candidate) => candidate.id === id);
  const identity = isTree(entry?.identity) ? entry.identity : {};
  const configured = typeof identity.name === "string" && identity.name ? identity.name : undefined;
  const named = configured ?? (typeof entry?.name === "string" && entry.name ? entry.name : undefined);
  const name = named ?? "Assistant";
  const emoji = typeof identity.emoji === "string" && identity.emoji ? identity.emoji : undefined;
  return {
    agentId: id,
    name,
    nameSource: named ? ("config" as const) : ("default" as const),
    avatar: emoji ?? name.slice(0, 1).toUpperCase(),
    ...(emoji ? { emoji } : {}),
  };
}
