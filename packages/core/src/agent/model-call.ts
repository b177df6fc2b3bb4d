import type {
  LanguageModelV1CallOptions,
  LanguageModelV1FunctionTool,
  LanguageModelV1Message,
} from "@openclaw/protocol";
import { type FailoverCandidate, runWithFailover } from "../models/failover.js";
import { formatModelRef } from "../models/model-ref.js";
import { acceptsImages, withoutImages } from "./model-messages.js";
import { type StreamedReply, streamModelReply } from "./model-stream.js";
import type { Turn } from "./turn-state.js";

export interface ModelCallOptions {
  /** Default: the turn's system prompt for the candidate model. */
  system?: string;
  tools?: LanguageModelV1FunctionTool[];
  /** No text/reasoning deltas (summaries, the memory flush). */
  quiet?: boolean;
}

/**
 * One model call of a turn, with failover across the turn's candidate models and auth profiles.
 * The model that answers stays the turn's model; a failed-over auth profile becomes the session's
 * pin until reset.
 */
export async function callModel(
  turn: Turn,
  messages: LanguageModelV1Message[],
  options: ModelCallOptions = {},
): Promise<{ reply: StreamedReply; candidate: FailoverCandidate }> {
  const { deps, input, entry, events } = turn;
  const { result, candidate, attempts } = await runWithFailover<StreamedReply>({
    refs: turn.refs,
    registry: deps.registry,
    auth: typeof deps.auth === "function" ? deps.auth(input.agentId) : deps.auth,
    cooldowns: deps.cooldowns,
    order: deps.config.auth?.order,
    pinnedProfileId: entry.authProfileOverride,
    signal: turn.callSignal,
    onFailover: (attempt) =>
      events.report({ type: "failover", model: attempt.model, kind: attempt.kind, message: attempt.message }),
    attempt: (candidate: FailoverCandidate) => {
      const info = deps.registry.modelInfo(candidate.ref.provider, candidate.ref.model);
      const callOptions: LanguageModelV1CallOptions = {
        system: options.system ?? turn.systemFor(candidate.ref),
        messages: acceptsImages(info) ? messages : withoutImages(messages),
        tools: options.tools?.length ? options.tools : undefined,
        thinking: turn.thinking === "off" ? undefined : turn.thinking,
        abortSignal: turn.callSignal,
        apiKey: candidate.apiKey,
        maxOutputTokens: info?.maxTokens,
      };
      return streamModelReply(
        candidate.model,
        callOptions,
        options.quiet
          ? {}
          : {
              onTextDelta: (delta, text) => events.report({ type: "text-delta", delta, text }),
              onReasoningDelta: (delta) => events.report({ type: "reasoning-delta", delta }),
            },
        {
          api: deps.registry.resolve(candidate.ref.provider).api,
          info,
          now: deps.now,
        },
      );
    },
  });
  // stick with the model that answered for the rest of this turn
  const index = turn.refs.findIndex((ref) => formatModelRef(ref) === formatModelRef(candidate.ref));
  if (index > 0) turn.refs = turn.refs.slice(index);
  if (attempts.length && candidate.profileId && candidate.profileId !== entry.authProfileOverride) {
    await deps.store.update(input.agentId, input.sessionKey, (current) =>
      current ? { ...current, authProfileOverride: candidate.profileId } : current,
    );
  }
  return { reply: result, candidate };
}

/** The text of an assistant reply (its text blocks joined). */
export function replyText(reply: StreamedReply): string {
  return reply.message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
}
