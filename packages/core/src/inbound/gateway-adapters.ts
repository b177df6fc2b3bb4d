import type { MethodParsedParams, MethodResult } from "@openclaw/protocol";
import type { ChannelManager } from "./channel-manager.js";
import type {
  InboundAssistant,
  InboundReply,
  InboundTurn,
  UnsolicitedChannelReply,
} from "./inbound-pipeline.js";

/** The part of core's `Assistant` the channel pipeline uses (structural, so either side can evolve). */
export interface EnqueueingAssistant {
  enqueue(input: {
    sessionKey?: string;
    agentId?: string;
    text: string;
    /** Images of the message (downloaded by its channel), as core's `SendInput.images`. */
    images?: { data: string; mimeType: string; fileName?: string }[];
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
    /** The message's id: the runId of the run that answers it, unless it is merged into another. */
    messageId?: string;
    result: Promise<{ payloads: { text: string }[]; status?: string }>;
    events: AsyncIterable<{ type: string; text?: string; runId?: string }>;
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
        ...(turn.images?.length ? { images: turn.images } : {}),
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
          for await (const event of handle.events) {
            // a message merged into another's turn (collect, steer) has no draft of its own
            if (handle.messageId !== undefined && event.runId !== handle.messageId) continue;
            if (event.type === "text-delta" && typeof event.text === "string") onPartial(event.text);
          }
        })().catch(() => undefined);
        const result = await handle.result;
        await drain;
        return replyOf(result);
      }
      return replyOf(await assistant.enqueue(input));
    },
  };
}

function replyOf(result: { payloads: { text: string }[]; status?: string }): InboundReply {
  return {
    payloads: result.payloads.map((p) => ({ text: p.text })),
    ...(result.status ? { status: result.status } : {}),
  };
}

/**
 * The gateway's `channels.status`, `channels.logout` and `send` methods on top of a channel
 * manager, with OpenClaw's param shapes (`send`: `{ to, message, channel?, accountId?, idempotencyKey }`).
 */
export function channelGatewayMethods(manager: ChannelManager): {
  status(params: MethodParsedParams<"channels.status">): Promise<MethodResult<"channels.status">>;
  logout(params: MethodParsedParams<"channels.logout">): Promise<MethodResult<"channels.logout">>;
  send(params: MethodParsedParams<"send">): Promise<MethodResult<"send">>;
  loginStart(params: MethodParsedParams<"web.login.start">): Promise<MethodResult<"web.login.start">>;
  loginWait(params: MethodParsedParams<"web.login.wait">): Promise<MethodResult<"web.login.wait">>;
} {
  const logins = new Map<string, WebLogin>();
  return {
    ...webLoginMethods(manager, logins),
    status: async (params) => {
      const status = await manager.status({
        ...(params.probe !== undefined ? { probe: params.probe } : {}),
        ...(params.timeoutMs !== undefined ? { timeoutMs: params.timeoutMs } : {}),
      });
      const ids = Object.keys(status.channels);
      return {
        ...status,
        channelOrder: ids,
        channelLabels: Object.fromEntries(ids.map((id) => [id, status.channels[id]?.label ?? id])),
      };
    },
    logout: async (params) => {
      const result = await manager.logout({
        channel: params.channel,
        ...(params.accountId ? { accountId: params.accountId } : {}),
      });
      return { ...result, cleared: result.loggedOut };
    },
    send: async (params) => {
      const channel = params.channel ?? "";
      if (!channel) throw new Error("send: `channel` is required (telegram, discord, slack, …)");
      const text = params.message ?? "";
      const media = [params.mediaUrl, ...(params.mediaUrls ?? [])].filter((url): url is string =>
        Boolean(url),
      );
      const result = await manager.send({
        channel,
        to: params.to,
        text: [text, ...media].filter(Boolean).join("\n"),
        ...(params.accountId ? { accountId: params.accountId } : {}),
        idempotencyKey: params.idempotencyKey,
      });
      return { ...result, messageId: result.messageIds[0] ?? "", to: params.to };
    },
  };
}

interface WebLogin {
  qr?: string;
  done: Promise<{ self?: string }>;
  settled?: { self?: string } | { error: string };
  controller: AbortController;
  qrShown: Promise<void>;
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | undefined> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

/**
 * `web.login.start` / `web.login.wait` (WhatsApp QR login from the Control UI): one login per
 * channel account runs in the background; `start` answers with its current QR as a data URL,
 * `wait` with whether the phone scanned it.
 */
function webLoginMethods(manager: ChannelManager, logins: Map<string, WebLogin>) {
  const keyOf = (params: { channel?: string | undefined; accountId?: string | undefined }) =>
    `${params.channel ?? "whatsapp"}:${params.accountId ?? "default"}`;
  return {
    loginStart: async (
      params: MethodParsedParams<"web.login.start">,
    ): Promise<MethodResult<"web.login.start">> => {
      const key = keyOf(params);
      let login = logins.get(key);
      if (login && (params.force || login.settled)) {
        login.controller.abort();
        logins.delete(key);
        login = undefined;
      }
      if (!login) {
        const controller = new AbortController();
        let shown: () => void = () => undefined;
        const qrShown = new Promise<void>((resolve) => {
          shown = resolve;
        });
        const created: WebLogin = { controller, qrShown, done: Promise.resolve({}) };
        created.done = manager
          .login({
            channel: params.channel ?? "whatsapp",
            ...(params.accountId ? { accountId: params.accountId } : {}),
            signal: controller.signal,
            onQr: (qr) => {
              created.qr = qr.dataUrl;
              shown();
            },
          })
          .then(
            (result) => {
              created.settled = result.self ? { self: result.self } : {};
              shown();
              return created.settled;
            },
            (error: unknown) => {
              created.settled = { error: error instanceof Error ? error.message : String(error) };
              shown();
              throw error;
            },
          );
        created.done.catch(() => undefined);
        logins.set(key, created);
        login = created;
      }
      await within(login.qrShown, params.timeoutMs ?? 30_000);
      if (login.settled && "error" in login.settled)
        return { message: `login failed: ${login.settled.error}` };
      if (login.settled)
        return { message: `already linked${login.settled.self ? ` as ${login.settled.self}` : ""}` };
      if (!login.qr) return { message: "no QR yet; call web.login.start again" };
      return {
        qrDataUrl: login.qr,
        message: "Scan this QR in WhatsApp → Settings → Linked devices → Link a device.",
      };
    },
    loginWait: async (
      params: MethodParsedParams<"web.login.wait">,
    ): Promise<MethodResult<"web.login.wait">> => {
      const login = logins.get(keyOf(params));
      if (!login) return { connected: false, message: "no login in progress; call web.login.start" };
      try {
        const result = await within(login.done, params.timeoutMs ?? 120_000);
        if (!result) return { connected: false, message: "still waiting for the QR to be scanned" };
        return { connected: true, message: `linked${result.self ? ` as ${result.self}` : ""}` };
      } catch (error) {
        return {
          connected: false,
          message: `login failed: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    },
  };
}
