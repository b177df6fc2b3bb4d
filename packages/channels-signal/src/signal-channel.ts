import type { ChildProcess } from "node:child_process";
import { type ChannelAccountContext, ChannelError, type ChannelPluginV1 } from "@openclaw/protocol/channel";
import {
  listSignalAccountIds,
  resolveSignalAccount,
  type SignalAccount,
  signalConfigSchema,
} from "./config.js";
import {
  linkSignal,
  readSignalEvents,
  SignalRpcError,
  signalAttachment,
  signalRpc,
  spawnSignalDaemon,
} from "./daemon.js";
import { normalizeSignalEnvelope, type SignalEnvelope } from "./normalize.js";
import { renderSignal } from "./render.js";

/** Signal's limit is about 2000 characters per message before it becomes a long-text attachment. */
export const SIGNAL_TEXT_LIMIT = 2000;

export interface SignalChannelOptions {
  env?: NodeJS.ProcessEnv;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const LOGGED_OUT = /authorization failed|not registered|unregistered|device.*(removed|unlinked)/i;
const UNUSABLE = /account does not exist|not registered|authorization failed/i;

/** A failed signal-cli call → ChannelError (sends have no idempotency key: AMBIGUOUS is never retried). */
export function toSignalChannelError(error: unknown): ChannelError {
  if (ChannelError.isInstance(error)) return error;
  if (error instanceof SignalRpcError) {
    if (LOGGED_OUT.test(error.message) || UNUSABLE.test(error.message))
      return new ChannelError("UNAUTHORIZED", `Signal account not usable: ${error.message}`, {
        vendorStatus: error.code,
        cause: error,
      });
    if (/rate ?limit/i.test(error.message))
      return new ChannelError("NOT_SENT", error.message, {
        vendorStatus: error.code,
        retryAfterMs: 5000,
        cause: error,
      });
    return new ChannelError("REJECTED", error.message, { vendorStatus: error.code, cause: error });
  }
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  if (code === "ECONNREFUSED")
    return new ChannelError("NOT_SENT", "signal-cli daemon not reachable (ECONNREFUSED)", { cause: error });
  return new ChannelError("AMBIGUOUS", `signal-cli: ${messageOf(error)}`, { cause: error });
}

/**
 * The Signal channel over signal-cli's JSON-RPC daemon: `POST /api/v1/rpc` for calls,
 * `GET /api/v1/events` (server-sent events) for incoming messages. The daemon is an external one
 * (`httpUrl`) or spawned (`signal-cli -a <account> daemon --http 127.0.0.1:<port>`).
 */
export function createSignalChannel(options: SignalChannelOptions = {}): ChannelPluginV1<SignalAccount> {
  void options;
  const daemons = new Map<string, { httpUrl: string; child?: ChildProcess }>();

  const params = (account: SignalAccount, extra: Record<string, unknown>) => ({
    ...(account.account ? { account: account.account } : {}),
    ...extra,
  });
  const urlFor = (account: SignalAccount) => {
    const url = account.httpUrl ?? daemons.get(account.accountId)?.httpUrl;
    if (!url) throw new ChannelError("NOT_SENT", "signal-cli daemon not started");
    return url;
  };
  const target = (to: string) => (to.startsWith("group:") ? { groupId: to.slice(6) } : { recipient: [to] });

  async function monitor(ctx: ChannelAccountContext<SignalAccount>): Promise<void> {
    const { account, logger } = ctx;
    let child: ChildProcess | undefined;
    let httpUrl = account.httpUrl;
    if (!httpUrl) {
      if (!account.account)
        throw new ChannelError("UNAUTHORIZED", "no Signal number (set channels.signal.account)");
      const daemon = await spawnSignalDaemon({
        cliPath: account.cliPath,
        account: account.account,
        port: account.httpPort,
        log: logger,
      });
      httpUrl = daemon.httpUrl;
      child = daemon.child;
    }
    daemons.set(ctx.accountId, { httpUrl, ...(child ? { child } : {}) });
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    ctx.abortSignal.addEventListener("abort", onAbort, { once: true });
    let failure: Error | undefined;
    try {
      try {
        await signalRpc(httpUrl, "listGroups", params(account, {}), ctx.abortSignal);
      } catch (error) {
        const failed = toSignalChannelError(error);
        if (failed.code === "UNAUTHORIZED") logger.warn(`signal logout: ${failed.message}`);
        throw failed;
      }
      ctx.setStatus({
        ...(account.account ? { self: { id: account.account } } : {}),
        details: { httpUrl, spawned: Boolean(child) },
      });
      await readSignalEvents(
        httpUrl,
        async (event) => {
          const payload = ((event as { params?: unknown })?.params ?? event) as {
            envelope?: SignalEnvelope;
            account?: string;
            exception?: { message?: string; type?: string };
          };
          if (payload?.exception) {
            const text = `${payload.exception.type ?? ""} ${payload.exception.message ?? ""}`.trim();
            if (LOGGED_OUT.test(text)) {
              logger.warn(`signal logout: ${text}`);
              failure = new ChannelError(
                "UNAUTHORIZED",
                `Signal session logged out (${text}): link again with openclaw channels login --channel signal`,
              );
              stop.abort();
              return;
            }
            logger.warn(`signal-cli receive error: ${text}`);
            return;
          }
          if (payload?.account && account.account && payload.account !== account.account) return;
          const result = normalizeSignalEnvelope(payload?.envelope as SignalEnvelope, {
            accountId: ctx.accountId,
            ...(account.account ? { selfNumber: account.account } : {}),
            mediaMaxBytes: account.mediaMaxBytes,
          });
          if ("skip" in result) {
            logger.debug(`signal event ignored: ${result.skip}`);
            return;
          }
          const ack = await ctx.inbound(result.message);
          if (ack.status === "rejected") logger.warn(`signal message rejected: ${ack.reason}`);
        },
        AbortSignal.any([ctx.abortSignal, stop.signal]),
        () => ctx.setStatus({ connected: true, lastError: null }),
      );
    } catch (error) {
      if (!ctx.abortSignal.aborted && !failure) {
        ctx.setStatus({ connected: false });
        logger.warn(`signal connection closed: ${messageOf(error)}`);
        failure = ChannelError.isInstance(error)
          ? error
          : new Error(`signal-cli event stream: ${messageOf(error)}`);
      }
    } finally {
      ctx.abortSignal.removeEventListener("abort", onAbort);
      daemons.delete(ctx.accountId);
      child?.kill();
      ctx.setStatus({ connected: false });
    }
    if (failure) throw failure;
  }

  return {
    specificationVersion: "v1",
    id: "signal",
    meta: {
      label: "Signal",
      blurb: "Signal through signal-cli (JSON-RPC daemon): DMs, groups, attachments",
      docsPath: "/channels/signal",
    },
    capabilities: {
      chatTypes: ["direct", "group"],
      threads: false,
      reactions: true,
      media: true,
      edits: false,
      maxTextLength: SIGNAL_TEXT_LIMIT,
      idempotentSend: false,
    },
    configSchema: signalConfigSchema,
    config: {
      listAccountIds: (block) => listSignalAccountIds(block),
      resolveAccount: (block, accountId) => resolveSignalAccount(block, accountId),
      unconfiguredReason: (account) =>
        account.account || account.httpUrl
          ? undefined
          : "no Signal number (set channels.signal.account, or channels.signal.httpUrl)",
      isEnabled: (account) => account.enabled,
    },
    gateway: { startAccount: monitor },
    media: {
      /** `getAttachment`: the file signal-cli downloaded when the message arrived (`signal:attachment:<id>`). */
      async download({ account, media, maxBytes, signal }) {
        const id = /^signal:attachment:(.+)$/s.exec(media.ref)?.[1];
        if (!id) throw new Error(`not a Signal attachment reference: ${media.ref}`);
        const data = await signalAttachment(
          urlFor(account),
          params(account, { id }),
          Math.min(maxBytes, account.mediaMaxBytes),
          signal,
        );
        return { data, ...(media.mimeType ? { mimeType: media.mimeType } : {}) };
      },
    },
    outbound: {
      render: renderSignal,
      async sendText(request) {
        const chunk = renderSignal(request.chunk.ir);
        const [quoteTimestamp, quoteAuthor] = (request.replyToMessageId ?? "").split(/:(.*)/s);
        try {
          const result = await signalRpc<{ timestamp?: number }>(
            urlFor(request.account),
            "send",
            params(request.account, {
              ...target(request.to),
              message: chunk.text,
              ...(chunk.styles.length ? { textStyle: chunk.styles } : {}),
              ...(quoteTimestamp && quoteAuthor
                ? { quoteTimestamp: Number(quoteTimestamp), quoteAuthor }
                : {}),
            }),
            request.signal,
          );
          return { messageId: `${result?.timestamp ?? Date.now()}:${request.account.account ?? ""}` };
        } catch (error) {
          throw toSignalChannelError(error);
        }
      },
      async sendMedia(request) {
        const limit = request.account.mediaMaxBytes;
        let data = request.media.data;
        if (!data && request.media.url) {
          const res = await fetch(request.media.url).catch((error: unknown) => {
            throw new ChannelError("NOT_SENT", `attachment download failed: ${messageOf(error)}`);
          });
          if (Number(res.headers.get("content-length") ?? 0) > limit) {
            await res.body?.cancel();
            data = new Uint8Array(limit + 1);
          } else data = new Uint8Array(await res.arrayBuffer());
        }
        if (!data) throw new ChannelError("REJECTED", "signal sendMedia needs data or a URL");
        if (data.byteLength > limit)
          throw new ChannelError(
            "REJECTED",
            `media too large: ${(data.byteLength / 1048576).toFixed(1)} MB is over the ${(limit / 1048576).toFixed(1)} MB limit (mediaMaxMb)`,
          );
        const mime = request.media.mimeType ?? "application/octet-stream";
        const name = request.media.fileName ? `;filename=${request.media.fileName}` : "";
        try {
          const result = await signalRpc<{ timestamp?: number }>(
            urlFor(request.account),
            "send",
            params(request.account, {
              ...target(request.to),
              message: request.caption?.ir.text ?? "",
              attachments: [`data:${mime}${name};base64,${Buffer.from(data).toString("base64")}`],
            }),
            request.signal,
          );
          return { messageId: `${result?.timestamp ?? Date.now()}:${request.account.account ?? ""}` };
        } catch (error) {
          throw toSignalChannelError(error);
        }
      },
      async sendTyping(request) {
        await signalRpc(
          urlFor(request.account),
          "sendTyping",
          params(request.account, target(request.to)),
        ).catch(() => undefined);
      },
      async react(request) {
        const [targetTimestamp, targetAuthor] = request.messageId.split(/:(.*)/s);
        if (!targetTimestamp || !targetAuthor) return;
        await signalRpc(
          urlFor(request.account),
          "sendReaction",
          params(request.account, {
            ...target(request.to),
            emoji: request.emoji,
            targetAuthor,
            targetTimestamp: Number(targetTimestamp),
          }),
        ).catch(() => undefined);
      },
    },
    auth: {
      async login({ account, print, signal }) {
        const QRCode = await import("qrcode");
        const linked = await linkSignal({
          cliPath: account.cliPath,
          ...(signal ? { signal } : {}),
          onUri: (uri) =>
            void (QRCode.default ?? QRCode)
              .toString(uri, { type: "terminal", small: true })
              .then((text: string) =>
                print(`${text}\n${uri}\nScan this QR in Signal → Settings → Linked devices`),
              ),
        });
        return { ...(linked.account ? { self: linked.account, config: { account: linked.account } } : {}) };
      },
    },
    pairing: {
      idLabel: "Signal number",
      normalizeAllowEntry: (entry) => entry.replace(/^signal:/i, "").replace(/[\s().-]/g, ""),
    },
    status: {
      async probe({ account, timeoutMs }) {
        const started = Date.now();
        try {
          await signalRpc(urlFor(account), "listGroups", params(account, {}), AbortSignal.timeout(timeoutMs));
          return {
            ok: true,
            ...(account.account ? { self: { id: account.account } } : {}),
            elapsedMs: Date.now() - started,
          };
        } catch (error) {
          return { ok: false, error: toSignalChannelError(error).message, elapsedMs: Date.now() - started };
        }
      },
    },
  };
}
