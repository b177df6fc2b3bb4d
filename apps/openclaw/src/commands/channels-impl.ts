import type { AnyChannelPlugin } from "@openclaw/protocol";
import { type ClientFlags, get, localPaths, print, readLocalConfig, resolveTarget } from "./gateway-local.js";
import { CliError, callGateway, runClient } from "./gateway-rpc.js";

/** The channel plugins of the plugin registry (bundled + installed), loaded only by commands that need them. */
export async function loadChannelPlugins(): Promise<AnyChannelPlugin[]> {
  const { localPluginRegistry } = await import("./plugins-registry.js");
  return (await localPluginRegistry()).loadChannels();
}

interface AccountRow {
  channel: string;
  accountId: string;
  enabled: boolean;
  configured: boolean;
  reason?: string;
  dmPolicy: string;
  groupPolicy: string;
}

async function localAccounts(): Promise<{ rows: AccountRow[]; configPath: string }> {
  const { config, path, error } = readLocalConfig();
  if (error) throw new CliError(`${path}: ${error}`);
  const channels = (get(config, "channels") ?? {}) as Record<string, Record<string, unknown>>;
  const rows: AccountRow[] = [];
  for (const plugin of await loadChannelPlugins()) {
    const block = channels[plugin.id];
    if (!block) continue;
    for (const accountId of plugin.config.listAccountIds(block)) {
      let configured = false;
      let reason: string | undefined;
      let enabled = block.enabled !== false;
      try {
        const account = plugin.config.resolveAccount(block, accountId);
        reason = plugin.config.unconfiguredReason?.(account);
        configured = !reason;
        enabled = enabled && (plugin.config.isEnabled?.(account) ?? true);
      } catch (e) {
        reason = e instanceof Error ? e.message : String(e);
      }
      const merged = {
        ...block,
        ...((block.accounts as Record<string, Record<string, unknown>> | undefined)?.[accountId] ?? {}),
      };
      rows.push({
        channel: plugin.id,
        accountId,
        enabled,
        configured,
        ...(reason ? { reason } : {}),
        dmPolicy: String(merged.dmPolicy ?? "pairing"),
        groupPolicy: String(merged.groupPolicy ?? "allowlist"),
      });
    }
  }
  return { rows, configPath: path };
}

export async function channelsList(options: { json?: boolean }): Promise<void> {
  await runClient(async () => {
    const { rows, configPath } = await localAccounts();
    if (options.json) return print(JSON.stringify({ configPath, accounts: rows }, null, 2));
    if (rows.length === 0) {
      print(`No channels configured in ${configPath}.`);
      print("Add one: openclaw channels add --channel telegram --token <bot token>");
      return;
    }
    for (const r of rows)
      print(
        `${r.channel}/${r.accountId}: ${r.enabled ? "enabled" : "disabled"}, ${r.configured ? "configured" : `not configured (${r.reason})`}, dmPolicy ${r.dmPolicy}, groupPolicy ${r.groupPolicy}`,
      );
  });
}

type StatusAccount = Record<string, unknown> & {
  channel: string;
  accountId: string;
  dropped?: Record<string, number>;
  probe?: { ok: boolean; error?: string; self?: { username?: string } };
};

function describeAccount(a: StatusAccount): string {
  const parts = [
    a.running
      ? a.connected
        ? "connected"
        : "running, not connected"
      : a.configured === false
        ? "not configured"
        : "stopped",
  ];
  const self = a.self as { username?: string } | undefined;
  if (self?.username) parts.push(`as @${self.username}`);
  if (a.lastInboundAt) parts.push(`last in ${new Date(Number(a.lastInboundAt)).toISOString()}`);
  if (a.lastOutboundAt) parts.push(`last out ${new Date(Number(a.lastOutboundAt)).toISOString()}`);
  const drops = Object.entries(a.dropped ?? {});
  if (drops.length) parts.push(`dropped: ${drops.map(([k, v]) => `${v} ${k}`).join(", ")}`);
  if (a.lastError) parts.push(`error: ${a.lastError}`);
  if (a.probe)
    parts.push(
      a.probe.ok
        ? `probe ok${a.probe.self?.username ? ` (@${a.probe.self.username})` : ""}`
        : `probe failed: ${a.probe.error}`,
    );
  return `${a.channel}/${a.accountId}: ${parts.join("; ")}`;
}

/** Configured channels with no status (plugin missing, disabled or broken, e.g. `channels.whatsapp`). */
async function addUnavailable(channels: Record<string, { accounts: StatusAccount[] }>): Promise<void> {
  const { config } = readLocalConfig();
  const configured = Object.keys((get(config, "channels") ?? {}) as Record<string, unknown>).filter(
    (id) => id !== "defaults" && !channels[id]?.accounts?.length,
  );
  if (configured.length === 0) return;
  const { localPluginRegistry } = await import("./plugins-registry.js");
  const registry = await localPluginRegistry();
  await registry.loadChannels();
  for (const id of configured) {
    const problem =
      registry.channelProblem(id) ??
      `configured, but not running in the gateway (restart it: openclaw gateway restart)`;
    channels[id] = {
      accounts: [{ channel: id, accountId: "default", running: false, connected: false, lastError: problem }],
    };
  }
}

export async function channelsStatus(
  options: ClientFlags & { probe?: boolean; channel?: string },
): Promise<void> {
  await runClient(async () => {
    let result: { channels: Record<string, { accounts: StatusAccount[] }> };
    let source = "gateway";
    try {
      result = await callGateway(resolveTarget(options), "channels.status", {
        probe: Boolean(options.probe),
      });
    } catch (error) {
      if (
        options.url ||
        !(error instanceof CliError) ||
        !error.message.startsWith("gateway connection failed")
      )
        throw error;
      // Gateway not running: report the local config, probing the vendors directly when asked.
      source = "local config (gateway not running)";
      const { rows } = await localAccounts();
      const channels: Record<string, { accounts: StatusAccount[] }> = {};
      const plugins = new Map((await loadChannelPlugins()).map((p) => [p.id, p]));
      const { config } = readLocalConfig();
      for (const r of rows) {
        const entry: StatusAccount = { ...r, running: false, connected: false, lastError: r.reason ?? null };
        const plugin = plugins.get(r.channel);
        if (options.probe && plugin?.status?.probe) {
          const block = get(config, `channels.${r.channel}`) as Record<string, unknown>;
          entry.probe = await plugin.status.probe({
            accountId: r.accountId,
            account: plugin.config.resolveAccount(block, r.accountId),
            timeoutMs: 5_000,
          });
        }
        channels[r.channel] ??= { accounts: [] };
        channels[r.channel]?.accounts.push(entry);
      }
      result = { channels };
    }
    // configured channels the gateway (or this build) does not run: say why, never "none configured"
    if (!options.url) await addUnavailable(result.channels);
    const filtered = Object.entries(result.channels).filter(
      ([id]) => !options.channel || id === options.channel,
    );
    if (options.json)
      return print(JSON.stringify({ source, channels: Object.fromEntries(filtered) }, null, 2));
    print(`Channels (${source}):`);
    const accounts = filtered.flatMap(([, c]) => c.accounts);
    if (accounts.length === 0) print("  none configured");
    for (const a of accounts) print(`  ${describeAccount(a)}`);
  });
}

const TOKEN_KEYS: Record<string, string> = { telegram: "botToken", discord: "token", slack: "botToken" };

export async function channelsAdd(
  options: {
    channel: string;
    account?: string;
    token?: string;
    appToken?: string;
    apiRoot?: string;
    verify?: boolean;
  },
  login: boolean,
): Promise<void> {
  await runClient(async () => {
    const channel = options.channel.toLowerCase();
    // the channels of the plugin registry (bundled + installed), read from manifests
    const { localPluginRegistry } = await import("./plugins-registry.js");
    const known = (await localPluginRegistry()).channelIds();
    if (!known.includes(channel))
      throw new CliError(`unknown channel "${options.channel}" (known: ${known.join(", ")})`, 2);
    if (options.token && !TOKEN_KEYS[channel])
      throw new CliError(
        `--token: ${channel} does not say which key holds its token; use openclaw config set channels.${channel}.<key> <value>`,
        2,
      );
    if (login && !options.token) return channelsInteractiveLogin(channel, options.account);
    const base =
      options.account && options.account !== "default"
        ? `channels.${channel}.accounts.${options.account}`
        : `channels.${channel}`;
    const values: [string, unknown][] = [[`channels.${channel}.enabled`, true]];
    if (options.account && options.account !== "default") values.push([`${base}.enabled`, true]);
    if (options.token) values.push([`${base}.${TOKEN_KEYS[channel]}`, options.token]);
    if (options.appToken) {
      if (channel !== "slack") throw new CliError("--app-token is for Slack only", 2);
      values.push([`${base}.appToken`, options.appToken]);
    }
    if (options.apiRoot) {
      if (channel !== "telegram") throw new CliError("--api-root is for Telegram only", 2);
      values.push([`${base}.apiRoot`, options.apiRoot]);
    }
    if (login && options.verify !== false) {
      const plugin = (await loadChannelPlugins()).find((p) => p.id === channel);
      const block: Record<string, unknown> = {
        [TOKEN_KEYS[channel] ?? "token"]: options.token,
        ...(options.appToken ? { appToken: options.appToken } : {}),
        ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}),
      };
      const probe = await plugin?.status?.probe?.({
        accountId: "default",
        account: plugin.config.resolveAccount(block, "default"),
        timeoutMs: 10_000,
      });
      if (probe && !probe.ok) throw new CliError(`${channel}: credentials rejected: ${probe.error}`);
      if (probe?.self?.username) print(`${channel}: token ok (@${probe.self.username})`);
    }
    const { setConfigValue } = await import("@openclaw/core/config");
    for (const [path, value] of values) await setConfigValue(path, value);
    print(
      `${channel}${options.account ? `/${options.account}` : ""}: saved ${values.map(([p]) => p.replace(/(Token|token)$/, "$1 (hidden)")).join(", ")} in ${localPaths().configPath}`,
    );
    print(
      `Start (or restart) the gateway to connect it. New DM senders get a pairing code: openclaw pairing list ${channel}`,
    );
  });
}

/**
 * `channels login --channel <id>` for a channel that links a device (WhatsApp QR, Signal link):
 * the plugin's `auth.login` prints the QR; the keys it returns are saved in the account's block.
 */
async function channelsInteractiveLogin(channel: string, accountId = "default"): Promise<void> {
  const plugin = (await loadChannelPlugins()).find((p) => p.id === channel);
  if (!plugin?.auth) throw new CliError(`channels login --channel ${channel} needs --token`, 2);
  const { config } = readLocalConfig();
  const block = get(config, `channels.${channel}`) as Record<string, unknown> | undefined;
  const account = plugin.config.resolveAccount(block, accountId);
  const result = await plugin.auth.login({ accountId, account, print: (text) => print(text) });
  const base = accountId !== "default" ? `channels.${channel}.accounts.${accountId}` : `channels.${channel}`;
  const { setConfigValue } = await import("@openclaw/core/config");
  await setConfigValue(`channels.${channel}.enabled`, true);
  if (accountId !== "default") await setConfigValue(`${base}.enabled`, true);
  for (const [key, value] of Object.entries(result.config ?? {}))
    await setConfigValue(`${base}.${key}`, value);
  print(
    `${channel}${accountId === "default" ? "" : `/${accountId}`}: linked${result.self ? ` as ${result.self}` : ""}`,
  );
  print(
    `Start (or restart) the gateway to connect it. New DM senders get a pairing code: openclaw pairing list ${channel}`,
  );
}

export async function channelsRemove(options: {
  channel: string;
  account?: string;
  delete?: boolean;
}): Promise<void> {
  await runClient(async () => {
    const channel = options.channel.toLowerCase();
    const { config } = readLocalConfig();
    const base = options.account ? `channels.${channel}.accounts.${options.account}` : `channels.${channel}`;
    if (get(config, base) === undefined) throw new CliError(`${base} is not configured`, 1);
    const { setConfigValue, unsetConfigValue } = await import("@openclaw/core/config");
    if (options.delete) await unsetConfigValue(base);
    else await setConfigValue(`${base}.enabled`, false);
    print(`${base}: ${options.delete ? "deleted" : "disabled"}`);
  });
}

export async function channelsLogout(
  options: ClientFlags & { channel: string; account?: string },
): Promise<void> {
  await runClient(async () => {
    const result = await callGateway<{ accountIds?: string[]; loggedOut?: boolean }>(
      resolveTarget(options),
      "channels.logout",
      {
        channel: options.channel,
        ...(options.account ? { accountId: options.account } : {}),
      },
    );
    if (options.json) return print(JSON.stringify(result, null, 2));
    print(
      `${options.channel}: stopped ${result.accountIds?.join(", ") || "no running account"}${result.loggedOut ? " and logged out" : ""}`,
    );
  });
}
