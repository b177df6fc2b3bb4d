import type { PluginRecord, PluginRegistry } from "@openclaw/core/plugins";
import { localPaths, print } from "./gateway-local.js";
import { CliError, runClient } from "./gateway-rpc.js";
import { localPluginRegistry } from "./plugins-registry.js";

const APPLY_HINT = "A running gateway restarts by itself to apply it (gateway.reload.mode hybrid).";

function stateOf(record: PluginRecord): string {
  if (record.state === "error") return `error ${record.error?.code}: ${record.error?.message}`;
  if (record.state === "disabled") return `disabled (${record.disabledReason})`;
  return record.state === "loaded" ? "ok" : "enabled";
}

function serves(record: PluginRecord): string {
  const parts = [
    ...record.channels.map((id) => `channel ${id}`),
    ...record.providers.map((id) => `provider ${id}`),
    ...record.apis.map((api) => `api ${api}`),
  ];
  return parts.join(", ");
}

/** The registry with every usable plugin imported, so import/spec errors show. */
async function checkedRegistry(): Promise<PluginRegistry> {
  const registry = await localPluginRegistry();
  await registry.loadAll();
  return registry;
}

function find(registry: PluginRegistry, id: string): PluginRecord {
  const record = registry.get(id);
  if (!record) throw new CliError(`plugin "${id}" not found (openclaw plugins list)`, 1);
  return record;
}

export async function pluginsList(options: { json?: boolean; enabled?: boolean }): Promise<void> {
  await runClient(async () => {
    const registry = await checkedRegistry();
    const records = registry
      .list()
      .filter((r) => !options.enabled || r.state === "loaded" || r.state === "enabled");
    if (options.json) return print(JSON.stringify({ plugins: records }, null, 2));
    if (!records.length) return print("No plugins found.");
    for (const record of records)
      print(
        `${record.id}  ${record.kind}  ${record.origin}${record.version ? `  v${record.version}` : ""}  ${stateOf(record)}${serves(record) ? `  [${serves(record)}]` : ""}`,
      );
    const broken = records.filter((r) => r.state === "error").length;
    if (broken) {
      print(`\n${broken} plugin(s) cannot load; details: openclaw plugins info <id>`);
      process.exitCode = 1;
    }
  });
}

/** One plugin, imported and checked. */
async function checkedPlugin(id: string): Promise<PluginRecord> {
  const record = await (await localPluginRegistry()).loadPlugin(id);
  if (!record) throw new CliError(`plugin "${id}" not found (openclaw plugins list)`, 1);
  return record;
}

export async function pluginsInfo(id: string, options: { json?: boolean }): Promise<void> {
  await runClient(async () => {
    const record = await checkedPlugin(id);
    if (options.json) return print(JSON.stringify(record, null, 2));
    const rows: [string, string | undefined][] = [
      ["id", record.id],
      ["name", record.name],
      ["kind", record.kind],
      ["origin", record.origin],
      ["version", record.version],
      ["package", record.packageName],
      ["directory", record.dir],
      ["module", record.entry],
      ["serves", serves(record) || undefined],
      ["status", stateOf(record)],
      ["description", record.description],
    ];
    for (const [label, value] of rows) if (value) print(`${label.padEnd(12)}${value}`);
    if (record.state === "error") process.exitCode = 1;
  });
}

export async function pluginsSetEnabled(id: string, enabled: boolean): Promise<void> {
  await runClient(async () => {
    const registry = await localPluginRegistry();
    find(registry, id);
    const { setConfigValue } = await import("@openclaw/core/config");
    await setConfigValue(`plugins.entries.${id}.enabled`, enabled);
    print(
      `plugin ${id}: ${enabled ? "enabled" : "disabled"} (plugins.entries.${id}.enabled = ${enabled}). ${APPLY_HINT}`,
    );
  });
}

export async function pluginsInstall(spec: string, options: { force?: boolean }): Promise<void> {
  await runClient(async () => {
    const { installPlugin, PluginInstallError } = await import("./plugins-install.js");
    const { bundledPlugins } = await import("./plugins-registry.js");
    const { readPluginPackage } = await import("@openclaw/core/plugins");
    const reserved = new Set<string>();
    for (const bundled of bundledPlugins()) {
      try {
        reserved.add(readPluginPackage(bundled.dir).manifest.id);
      } catch {
        // a broken bundled manifest shows in plugins list
      }
    }
    let installed: Awaited<ReturnType<typeof installPlugin>>;
    try {
      installed = await installPlugin({
        spec,
        stateDir: localPaths().stateDir,
        reservedIds: reserved,
        ...(options.force ? { force: true } : {}),
      });
    } catch (error) {
      if (error instanceof PluginInstallError)
        throw new CliError(`plugins install: ${error.code}: ${error.message}`, 1);
      throw error;
    }
    const { patchConfig } = await import("@openclaw/core/config");
    await patchConfig({
      plugins: {
        installs: {
          [installed.id]: {
            source: installed.source,
            spec: installed.spec,
            installPath: installed.installPath,
            ...(installed.version ? { version: installed.version } : {}),
            installedAt: new Date().toISOString(),
          },
        },
        entries: { [installed.id]: { enabled: true } },
      },
    });
    print(
      `Installed ${installed.kind} plugin ${installed.id}${installed.version ? ` v${installed.version}` : ""} in ${installed.installPath}${installed.replaced ? " (replaced the previous copy)" : ""}.`,
    );
    // import it now: a plugin that cannot load says so at install time, not at the first message
    const record = await checkedPlugin(installed.id);
    if (record.state === "error") {
      print(`Warning: it does not load: ${record.error?.code}: ${record.error?.message}`);
      process.exitCode = 1;
    } else print(APPLY_HINT);
  });
}

export async function pluginsUninstall(id: string): Promise<void> {
  await runClient(async () => {
    const { PLUGIN_ID_PATTERN } = await import("@openclaw/core/plugins");
    if (!PLUGIN_ID_PATTERN.test(id))
      throw new CliError(`"${id}" is not a plugin id (openclaw plugins list)`, 2);
    const registry = await localPluginRegistry();
    const record = registry.list().find((r) => r.id === id && r.origin === "installed");
    const { readLocalConfig } = await import("./gateway-local.js");
    const { config } = readLocalConfig();
    const plugins = (config.plugins ?? {}) as {
      installs?: Record<string, unknown>;
      entries?: Record<string, unknown>;
    };
    if (!record && !plugins.installs?.[id]) {
      const other = registry.get(id);
      throw new CliError(
        other
          ? `plugin "${id}" is not installed in the state dir (it is ${other.origin === "bundled" ? "bundled" : `loaded from plugins.load.paths: ${other.dir}`}); use openclaw plugins disable ${id}`
          : `plugin "${id}" is not installed (openclaw plugins list)`,
        1,
      );
    }
    const { removeInstalledPlugin } = await import("./plugins-install.js");
    const removed = await removeInstalledPlugin(localPaths().stateDir, id);
    const patch: Record<string, unknown> = {};
    if (plugins.installs?.[id] !== undefined) patch.installs = { [id]: null };
    if (plugins.entries?.[id] !== undefined) patch.entries = { [id]: null };
    if (Object.keys(patch).length) {
      const { patchConfig } = await import("@openclaw/core/config");
      await patchConfig({ plugins: patch });
    }
    print(`Uninstalled plugin ${id}${removed ? "" : " (its directory was already gone)"}. ${APPLY_HINT}`);
  });
}
