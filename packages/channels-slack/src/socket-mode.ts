import type { ChannelAccountContext } from "@openclaw/protocol/channel";
import { SocketModeClient } from "@slack/socket-mode";
import type { Logger } from "@slack/web-api";

// biome-ignore lint/suspicious/noExplicitAny: raw Slack envelope JSON, checked field by field
type Json = Record<string, any>;

export interface SocketModeRun {
  appToken: string;
  /** Web API root for `apps.connections.open` (tests point it at a fake). */
  apiUrl?: string;
  logger: Logger;
  /** An Events API payload (`body.event`); resolves once it is journaled, then the envelope is acked. */
  onEvent(body: Json): Promise<void>;
}

/**
 * One Socket Mode connection (@slack/socket-mode 2 over `ws`): `apps.connections.open`, the
 * WebSocket, Slack's `hello`, its ping/pong checks and `disconnect` requests are the library's.
 * Resolves when the connection is up; `closed` resolves when it ends without `stop()` — the host's
 * account loop then reconnects with its backoff (the library's own reconnect is off: a failure
 * while it reconnects would be an unhandled rejection).
 *
 * Acks follow Bolt's rule: an `events_api` envelope is acknowledged once its message is journaled
 * (never when journaling failed: Slack redelivers); slash commands and interactive payloads have
 * no handler and are left unacknowledged, as Bolt without a listener left them.
 */
export async function connectSocketMode(
  run: SocketModeRun,
  ctx: Pick<ChannelAccountContext, "logger">,
): Promise<{ closed: Promise<void>; stop(): Promise<void> }> {
  const client = new SocketModeClient({
    appToken: run.appToken,
    logger: run.logger,
    autoReconnectEnabled: false,
    clientOptions: { ...(run.apiUrl ? { slackApiUrl: run.apiUrl } : {}), retryConfig: { retries: 0 } },
  });
  client.on(
    "slack_event",
    async ({ ack, type, body }: { ack: () => Promise<void>; type: string; body: Json }) => {
      if (type !== "events_api" || !body?.event) return;
      try {
        await run.onEvent(body);
      } catch (error) {
        ctx.logger.error(`slack event not journaled (${(error as Error).message}); Slack will redeliver it`);
        return;
      }
      await ack().catch((error: Error) => ctx.logger.debug(`slack ack not sent: ${error.message}`));
    },
  );
  let stopping = false;
  const closed = new Promise<void>((resolve) =>
    client.on("disconnected", () => {
      if (!stopping) resolve();
    }),
  );
  try {
    await client.start();
  } catch (error) {
    stopping = true;
    await client.disconnect().catch(() => undefined);
    throw error ?? new Error("Socket Mode connection closed before Slack's hello");
  }
  return {
    closed,
    async stop() {
      stopping = true;
      await client.disconnect().catch(() => undefined);
    },
  };
}
