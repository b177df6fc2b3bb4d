import type { ChannelManager } from "./channel-manager.js";
import type { InboundAssistant, InboundTurn, UnsolicitedChannelReply } from "./inbound-pipeline.js";

/** The part of core's `Assistant` the channel pipeline uses (structural, so either side can evolve). */
export interface EnqueueingAssistant {
  enqueue(input: {
    sessionKey?: string;
    agentId?: string;
    text: string;
    sender?: { id?: string; name?: string; channel?: string; authorized?: boolean };
    idempotencyKey?: string;
    channel?: string;
    route?: { channel: string; accountId?: string; to: string; threadId?: string };
  }): Promise<{ payloads: { text: string }[]; status?: string }>;
  /** Core's bus: its `reply` events (sub-agent / agent-to-agent announces) reach the chat they belong to. */
  bus?: {
    on(event: "reply", listener: (event: UnsolicitedBusReply) => void): unknown;
    off(event: "reply", listener: (event: UnsolicitedBusReply) => void): unknown;
  };
  /** Optional streaming entry point (core's `submit`): used for edit-in-place drafts. */
  submit?(input: Parameters<EnqueueingAssistant["enqueue"]>[0]): {
    result: Promise<{ payloads: { text: string }[]; status?: string }>;
    events: AsyncIterable<{ type: string; text?: string }>;
  };
}

/** The `reply` bus event as this adapter reads it (structural subset of core's UnsolicitedReplyPayload). */
export interface UnsolicitedBusReply {
  sessionKey: string;
  origin: string;
  result: { messageId: string; status: string; text: string; payloads: { text: string }[] };
  route?: { channel: string; accountId?: string; to: string; threadId?: string };
}

/**
 * Adapt core's assistant (`createAssistant(...).enqueue`) to the pipeline. The idempotency key is
 * the inbound message's identity, so a turn re-run after a crash is answered from the assistant's
 * record instead of calling the model twice.
 */
export function assistantForChannels(assistant: EnqueueingAssistant): InboundAssistant {
  const bus = assistant.bus;
  return {
    ...(bus
      ? {
          onUnsolicitedReply(listener: (reply: UnsolicitedChannelReply) => void) {
            const handler = (event: UnsolicitedBusReply) => {
              if (!event.route) return;
              const { result } = event;
              // a silent reply (NO_REPLY) has nothing to deliver; a failed one says so
              const payloads = result.payloads.length
                ? result.payloads.map((p) => ({ text: p.text }))
                : result.status === "error" && result.text
                  ? [{ text: `⚠️ ${result.text}` }]
                  : [];
              if (payloads.every((p) => !p.text?.trim())) return;
              listener({
                id: result.messageId,
                sessionKey: event.sessionKey,
                origin: event.origin,
                route: event.route,
                payloads,
              });
            };
            bus.on("reply", handler);
            return () => {
              bus.off("reply", handler);
            };
          },
        }
      : {}),
    async enqueue(turn: InboundTurn) {
      const { message } = turn;
      const input = {
        sessionKey: turn.sessionKey,
        agentId: turn.agentId,
        text: turn.text,
        channel: message.channel,
        sender: {
          id: message.sender.id,
          channel: message.channel,
          authorized: true,
          ...(message.sender.displayName || message.sender.username
            ? { name: message.sender.displayName ?? message.sender.username }
            : {}),
        },
        idempotencyKey: `inbound:${message.channel}:${message.accountId}:${message.chat.id}:${message.messageId}`,
        // the session's last route: where sub-agent and agent-to-agent announces are delivered
        route: {
          channel: message.channel,
          accountId: message.accountId,
          to: message.chat.id,
          ...(message.chat.threadId ? { threadId: message.chat.threadId } : {}),
        },
      };
      if (turn.onPartial && assistant.submit) {
        const handle = assistant.submit(input);
        const onPartial = turn.onPartial;
        const drain = (async () => {
          for await (const event of handle.events)
            if (event.type === "text-delta" && typeof event.text === "string") onPartial(event.text);
        })().catch(() => undefined);
        const result = await handle.result;
        await drain;
        return { payloads: result.payloads.map((p) => ({ text: p.text })) };
      }
      const result = await assistant.enqueue(input);
      return { payloads: result.payloads.map((p) => ({ text: p.text })) };
    },
  };
}

type JsonObject = Record<string, unknown>;

/**
 * The gateway's `channels.status`, `channels.logout` and `send` methods on top of a channel
 * manager, with OpenClaw's param shapes (`send`: `{ to, message, channel?, accountId?, idempotencyKey }`).
 */
export function channelGatewayMethods(manager: ChannelManager): {
  status(params: { probe?: boolean; timeoutMs?: number }): Promise<JsonObject>;
  logout(params: JsonObject): Promise<JsonObject>;
  send(params: JsonObject): Promise<JsonObject>;
} {
  return {
    status: async (params) =>
      (await manager.status({
        ...(params.probe !== undefined ? { probe: Boolean(params.probe) } : {}),
        ...(params.timeoutMs !== undefined ? { timeoutMs: Number(params.timeoutMs) } : {}),
      })) as unknown as JsonObject,
    logout: async (params) =>
      (await manager.logout({
        channel: String(params.channel ?? ""),
        ...(params.accountId ? { accountId: String(params.accountId) } : {}),
      })) as unknown as JsonObject,
    send: async (params) => {
      const channel = String(params.channel ?? "");
      if (!channel) throw new Error("send: `channel` is required (telegram, discord, slack, …)");
      if (!params.to) throw new Error("send: `to` is required");
      const text = String(params.message ?? "");
      const media = [params.mediaUrl, ...((params.mediaUrls as unknown[]) ?? [])].filter(Boolean).map(String);
      const result = await manager.send({
        channel,
        to: String(params.to),
        text: [text, ...media].filter(Boolean).join("\n"),
        ...(params.accountId ? { accountId: String(params.accountId) } : {}),
        ...(params.idempotencyKey ? { idempotencyKey: String(params.idempotencyKey) } : {}),
      });
      return { ...result, messageId: result.messageIds[0], to: String(params.to) };
    },
  };
}
