import type { AnyChannelPlugin, ModelProviderV1 } from "@openclaw/protocol";
import type { ProviderFactory, ProviderFactoryOptions } from "../models/provider-registry.js";
import type { DiscoveredPlugin, PluginRecord } from "./discover.js";
import { PluginError } from "./manifest.js";

/** What a plugin module's default-exported function receives (a plugin built from its config). */
export interface PluginFactoryContext {
  id: string;
  /** `plugins.entries.<id>.config` (checked against the manifest's `configSchema`), or `{}`. */
  config: Record<string, unknown>;
  stateDir: string;
  env: NodeJS.ProcessEnv;
}

type FromConfig = (
  id: string,
  config: unknown,
  env: Record<string, string | undefined>,
  overrides?: { baseURL?: string; apiKey?: string; headers?: Record<string, string>; fetch?: typeof fetch },
) => ModelProviderV1 | undefined;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Check `plugins.entries.<id>.config` against the manifest's JSON Schema (zod loads only here). */
export async function checkPluginConfig(record: PluginRecord, config: unknown): Promise<void> {
  const schema = record.configSchema;
  if (!schema) return;
  const required = Array.isArray(schema.required) && schema.required.length > 0;
  if (config === undefined && !required) return;
  const { z } = await import("zod");
  let parsed: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
  try {
    parsed = z.fromJSONSchema(schema as never).safeParse(config ?? {});
  } catch (error) {
    throw new PluginError(
      "PLUGIN_MANIFEST_INVALID",
      `plugin "${record.id}": configSchema is not a usable JSON Schema (${message(error)})`,
      record.id,
    );
  }
  if (!parsed.success) {
    const issue = parsed.error?.issues[0];
    const where = issue?.path.length ? `.${issue.path.map(String).join(".")}` : "";
    throw new PluginError(
      "PLUGIN_CONFIG_INVALID",
      `plugins.entries.${record.id}.config${where}: ${issue?.message ?? "invalid"}`,
      record.id,
    );
  }
}

/** Import the module; a throw becomes `PLUGIN_IMPORT_FAILED`. */
async function importModule(plugin: DiscoveredPlugin): Promise<Record<string, unknown>> {
  const { record } = plugin;
  try {
    const module = (await plugin.load!()) as Record<string, unknown>;
    if (typeof module !== "object" || module === null) throw new Error("the module has no exports");
    return module;
  } catch (error) {
    throw new PluginError(
      "PLUGIN_IMPORT_FAILED",
      `plugin "${record.id}" failed to load ${record.entry ?? record.dir}: ${message(error)}`,
      record.id,
    );
  }
}

/** The module's exports that may be the plugin: a default-exported factory is called first. */
async function exportedValues(
  module: Record<string, unknown>,
  context: PluginFactoryContext,
): Promise<unknown[]> {
  const values: unknown[] = [];
  let fallback = module.default;
  if (typeof fallback === "function" && !("specificationVersion" in fallback)) {
    try {
      fallback = await (fallback as (context: PluginFactoryContext) => unknown)(context);
    } catch (error) {
      throw new PluginError(
        "PLUGIN_IMPORT_FAILED",
        `plugin "${context.id}": its default export threw: ${message(error)}`,
        context.id,
      );
    }
  }
  if (fallback !== undefined) values.push(fallback);
  for (const [name, value] of Object.entries(module))
    if (name !== "default" && typeof value === "object" && value !== null) values.push(value);
  return values;
}

function specVersionOf(value: unknown): unknown {
  return typeof value === "object" && value !== null
    ? (value as { specificationVersion?: unknown }).specificationVersion
    : undefined;
}

function unsupported(record: PluginRecord, what: string, found: unknown): PluginError {
  return new PluginError(
    "PLUGIN_SPEC_UNSUPPORTED",
    `plugin "${record.id}" exports a ${what} with specificationVersion ${JSON.stringify(found)}; this OpenClaw supports "v1"`,
    record.id,
  );
}

const CHANNEL_FUNCTIONS = [
  ["config", "listAccountIds"],
  ["config", "resolveAccount"],
  ["gateway", "startAccount"],
  ["outbound", "render"],
  ["outbound", "sendText"],
] as const;

/** Import a channel plugin package and return the `ChannelPluginV1` for each channel it declares. */
export async function loadChannelModule(
  plugin: DiscoveredPlugin,
  context: PluginFactoryContext,
): Promise<AnyChannelPlugin[]> {
  const { record } = plugin;
  const values = await exportedValues(await importModule(plugin), context);
  const out: AnyChannelPlugin[] = [];
  for (const channel of record.channels) {
    const match = values.find(
      (value) => specVersionOf(value) !== undefined && (value as { id?: unknown }).id === channel,
    );
    if (!match) {
      const other = values.find((value) => specVersionOf(value) !== undefined);
      throw new PluginError(
        "PLUGIN_EXPORT_INVALID",
        other
          ? `plugin "${record.id}" exports channel "${String((other as { id?: unknown }).id)}" but its manifest declares "${channel}"`
          : `plugin "${record.id}" exports no ChannelPluginV1 (expected an export with specificationVersion "v1" and id "${channel}")`,
        record.id,
      );
    }
    if (specVersionOf(match) !== "v1") throw unsupported(record, "channel plugin", specVersionOf(match));
    for (const [group, fn] of CHANNEL_FUNCTIONS) {
      const holder = (match as Record<string, Record<string, unknown> | undefined>)[group];
      if (typeof holder?.[fn] !== "function")
        throw new PluginError(
          "PLUGIN_EXPORT_INVALID",
          `plugin "${record.id}": channel "${channel}" has no ${group}.${fn}() (ChannelPluginV1)`,
          record.id,
        );
    }
    if (typeof (match as { meta?: { label?: unknown } }).meta?.label !== "string")
      throw new PluginError(
        "PLUGIN_EXPORT_INVALID",
        `plugin "${record.id}": channel "${channel}" has no meta.label`,
        record.id,
      );
    out.push(match as AnyChannelPlugin);
  }
  return out;
}

/** What a provider plugin contributes to `createAssistant`. */
export interface ProviderContribution {
  factories: Record<string, ProviderFactory>;
  providers: Record<string, ModelProviderV1>;
}

/** A package's `fromConfig(id, config, env, overrides)` as core's factory. */
export function factoryFromConfig(fromConfig: FromConfig): ProviderFactory {
  return (options: ProviderFactoryOptions) =>
    fromConfig(options.id, options.config, options.env, {
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
}

/**
 * Import a provider plugin: with `apis` in its manifest, its `fromConfig` export becomes the
 * factory of those wire APIs; otherwise each provider id it declares must be exported as a
 * `ModelProviderV1` (or returned by its default-exported function).
 */
export async function loadProviderModule(
  plugin: DiscoveredPlugin,
  context: PluginFactoryContext,
): Promise<ProviderContribution> {
  const { record } = plugin;
  const module = await importModule(plugin);
  const contribution: ProviderContribution = { factories: {}, providers: {} };
  if (record.apis.length) {
    if (typeof module.fromConfig !== "function")
      throw new PluginError(
        "PLUGIN_EXPORT_INVALID",
        `plugin "${record.id}" declares apis ${record.apis.join(", ")} but exports no fromConfig(id, config, env) function`,
        record.id,
      );
    const factory = factoryFromConfig(module.fromConfig as FromConfig);
    for (const api of record.apis) contribution.factories[api] = factory;
    return contribution;
  }
  const values = await exportedValues(module, context);
  for (const id of record.providers) {
    const match = values.find(
      (value) => specVersionOf(value) !== undefined && (value as { id?: unknown }).id === id,
    );
    if (!match)
      throw new PluginError(
        "PLUGIN_EXPORT_INVALID",
        `plugin "${record.id}" exports no ModelProviderV1 with id "${id}"`,
        record.id,
      );
    if (specVersionOf(match) !== "v1") throw unsupported(record, "model provider", specVersionOf(match));
    if (typeof (match as { languageModel?: unknown }).languageModel !== "function")
      throw new PluginError(
        "PLUGIN_EXPORT_INVALID",
        `plugin "${record.id}": provider "${id}" has no languageModel() (ModelProviderV1)`,
        record.id,
      );
    contribution.providers[id] = match as ModelProviderV1;
  }
  return contribution;
}
