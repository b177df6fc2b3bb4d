import { OpenClawError } from "@openclaw/protocol/base";
import type { CoreMethods, MethodContext } from "../methods/context.js";

type Tree = Record<string, unknown>;

/** The requested agent, else the config's default agent (`main` when none is listed). */
export function defaultAgentOf(config: Tree, requested?: string): string {
  if (requested) return requested.toLowerCase();
  const agents = (config.agents ?? {}) as { list?: Array<{ id?: unknown; default?: unknown }> };
  const list = Array.isArray(agents.list) ? agents.list : [];
  const chosen = list.find((entry) => entry?.default === true) ?? list[0];
  return typeof chosen?.id === "string" ? chosen.id.toLowerCase() : "main";
}

async function memoryOf(ctx: MethodContext) {
  const assistant = await ctx.assistant();
  if (!assistant.memory)
    throw new OpenClawError("UNAVAILABLE", "memory search is not available in this gateway");
  return assistant.memory();
}

/**
 * `doctor.memory.status`: the agent's index and whether embeddings work. Memory code loads on
 * the first call (never with the method table).
 */
export const memoryMethods = {
  "doctor.memory.status": async (params, ctx) => {
    const agentId = defaultAgentOf(ctx.config(), params.agentId);
    const manager = await memoryOf(ctx);
    let index: Awaited<ReturnType<typeof manager.index>>;
    try {
      index = await manager.index(agentId);
    } catch (error) {
      return { agentId, embedding: { ok: false, error: (error as Error).message } };
    }
    const embedder = index.embedder;
    let embedding: { ok: boolean; error?: string; checked?: boolean };
    if (!embedder) embedding = { ok: false, error: (await index.status()).embeddingReason, checked: true };
    else if (params.probe) {
      const { PROBE_TEXT } = await import("./embeddings.js");
      embedding = await embedder.embed([PROBE_TEXT]).then(
        () => ({ ok: true, checked: true }),
        (error: unknown) => ({ ok: false, error: (error as Error).message, checked: true }),
      );
    } else {
      const reason = (await index.status()).embeddingReason;
      embedding = reason ? { ok: false, error: reason, checked: true } : { ok: true, checked: false };
    }
    const { agentId: _agent, provider, model, embeddingReason: _reason, ...status } = await index.status();
    return {
      agentId,
      ...(provider ? { provider } : {}),
      ...(model ? { model } : {}),
      embedding,
      index: status,
    };
  },
} satisfies CoreMethods;
