import type { AnyChannelPlugin, ChannelLogger, ChannelStatusPatch, InboundAck } from "@openclaw/protocol";
import { ChannelError } from "@openclaw/protocol/channel";
import type { ChannelAccountStatus, ReconnectPolicy } from "./channel-manager.js";

/** One running (or stopped) channel account. */
export interface AccountRuntime {
  plugin: AnyChannelPlugin;
  accountId: string;
  account: unknown;
  status: ChannelAccountStatus;
  controller?: AbortController;
  loop?: Promise<void>;
}

/**
 * Run a channel account's monitor until `signal` aborts: reconnect with jittered exponential
 * backoff after it ends or fails, stop for good on UNAUTHORIZED or after `maxAttempts`
 * consecutive failed connections (visible in the account's status).
 */
export async function runAccountLoop(
  runtime: AccountRuntime,
  signal: AbortSignal,
  log: ChannelLogger,
  env: {
    reconnect: ReconnectPolicy;
    now: () => number;
    random: () => number;
    inbound: (message: unknown) => Promise<InboundAck>;
    /** The status changed (see `ChannelManagerOptions.onStatus`). */
    changed?: () => void;
  },
): Promise<void> {
  const { reconnect, now, random } = env;
  const { plugin, status } = runtime;
  let failures = 0;
  while (!signal.aborted) {
    let connectedThisRound = false;
    try {
      await plugin.gateway.startAccount({
        channel: plugin.id,
        accountId: runtime.accountId,
        account: runtime.account,
        abortSignal: signal,
        logger: log,
        setStatus(patch: ChannelStatusPatch) {
          if (patch.connected !== undefined) {
            status.connected = patch.connected;
            if (patch.connected) {
              status.lastConnectedAt = now();
              status.lastError = null;
              connectedThisRound = true;
              failures = 0;
              status.reconnectAttempts = 0;
            }
          }
          if (patch.lastError !== undefined) status.lastError = patch.lastError;
          if (patch.self) status.self = patch.self;
          if (patch.details) status.details = { ...status.details, ...patch.details };
          env.changed?.();
        },
        inbound: env.inbound,
      });
      status.connected = false;
      if (signal.aborted) break;
      log.warn("channel monitor ended; reconnecting");
    } catch (error) {
      status.connected = false;
      if (signal.aborted) break;
      const text = error instanceof Error ? error.message : String(error);
      status.lastError = text;
      if (ChannelError.isInstance(error) && error.code === "UNAUTHORIZED") {
        log.error(`stopped: ${text} (fix the credentials, then restart the channel)`);
        break;
      }
      log.warn(`channel monitor failed: ${text}`);
    }
    if (!connectedThisRound) failures++;
    else failures = Math.max(failures, 1);
    status.reconnectAttempts = failures;
    env.changed?.();
    if (failures >= reconnect.maxAttempts) {
      log.error(
        `giving up after ${failures} consecutive failed connection attempts; last error: ${status.lastError}`,
      );
      status.lastError = `gave up after ${failures} attempts: ${status.lastError}`;
      break;
    }
    const base = Math.min(reconnect.maxDelayMs, reconnect.initialDelayMs * 2 ** Math.max(0, failures - 1));
    const delay = Math.round(base * (0.5 + random() * 0.5));
    log.info(`reconnecting in ${delay} ms (attempt ${failures})`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
  status.running = false;
  status.connected = false;
  env.changed?.();
}

/** Stop an account's monitor and wait for it. */
export async function stopAccount(runtime: AccountRuntime) {
  runtime.controller?.abort();
  await runtime.loop?.catch(() => undefined);
  // a plugin's stopAccount that throws (even synchronously) does not stop the others
  await Promise.resolve()
    .then(() =>
      runtime.plugin.gateway.stopAccount?.({ accountId: runtime.accountId, account: runtime.account }),
    )
    .catch(() => undefined);
  runtime.controller = undefined;
  runtime.loop = undefined;
  runtime.status.running = false;
  runtime.status.connected = false;
}
