import type { MethodResult } from "@openclaw/protocol";
import { scopeAllows } from "@openclaw/protocol/base";
import { getPath } from "../config-path.js";
import { GatewayMethodError } from "../types.js";
import type { GatewayMethodContext, GatewayMethods } from "./context.js";

type JsonObject = Record<string, unknown>;

/** OpenClaw's marker for a secret a caller may not see (config.get for `operator.read`). */
export const REDACTED = "__OPENCLAW_REDACTED__";

/** The config snapshot a caller may see: secrets need `operator.admin`, else they read as {@link REDACTED}. */
function configPayload(ctx: GatewayMethodContext, full: boolean): MethodResult<"config.get"> {
  const snapshot = ctx.gateway.options.config.snapshot();
  return {
    path: snapshot.path,
    exists: snapshot.exists,
    raw: full || snapshot.raw === null ? snapshot.raw : redactRaw(snapshot.raw, snapshot.config),
    config: full ? snapshot.config : redactSecrets(snapshot.config),
    hash: snapshot.hash,
    valid: snapshot.valid,
    ...(snapshot.issues ? { issues: snapshot.issues } : {}),
  };
}

/** Secret-looking string values of a config (and of the file as written, which may differ). */
function secretValues(...trees: unknown[]): Set<string> {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === "object" && node !== null)
      for (const [key, child] of Object.entries(node)) {
        if (SECRET_KEY.test(key) && typeof child === "string" && child !== "") found.add(child);
        else walk(child);
      }
  };
  trees.forEach(walk);
  return found;
}

/**
 * The file's text with every secret value replaced by {@link REDACTED}, comments and layout kept
 * (what OpenClaw answers a read-only caller). A file that does not parse is not shown at all.
 */
function redactRaw(raw: string, config: unknown): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  let text = raw;
  for (const secret of secretValues(config, parsed)) {
    for (const quoted of [JSON.stringify(secret), `'${secret.replaceAll("'", "\\'")}'`])
      text = text.split(quoted).join(JSON.stringify(REDACTED));
  }
  // a secret that is still present (unusual quoting) means the text cannot be shown safely
  for (const secret of secretValues(config, parsed))
    if (secret.length >= 4 && text.includes(secret)) return null;
  return text;
}

/** A refused write (bad JSON5, invalid config, stale baseHash) is INVALID_REQUEST. */
async function configWrite<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof GatewayMethodError) throw error;
    throw new GatewayMethodError({
      code: "INVALID_REQUEST",
      message: error instanceof Error ? error.message : String(error),
      details: { code: "INVALID_PARAMS" },
    });
  }
}

/** config.get / schema / set / patch / apply on the gateway's config store. */
export const configMethods = {
  "config.get": async (_params, ctx) => configPayload(ctx, scopeAllows(ctx.caller.scopes, "operator.admin")),

  "config.schema": async (_params, ctx) => {
    const schema = await ctx.gateway.options.config.schema();
    const { configUiHints } = await import("./config-ui-hints.js");
    // labels, help, order and secret flags the Control UI's form reads
    return {
      schema,
      uiHints: configUiHints(schema),
      version: ctx.gateway.version,
      generatedAt: new Date(ctx.gateway.startedAt).toISOString(),
    };
  },

  "config.set": (params, ctx) =>
    configWrite(async () => {
      await ctx.gateway.options.config.set(params.raw, params.baseHash);
      ctx.gateway.revalidateAll();
      return { ok: true, ...configPayload(ctx, true) };
    }),

  "config.patch": (params, ctx) =>
    configWrite(async () => {
      const JSON5 = (await import("json5")).default;
      const patch: unknown = JSON5.parse(params.raw);
      if (!patch || typeof patch !== "object" || Array.isArray(patch)) {
        throw new GatewayMethodError({
          code: "INVALID_REQUEST",
          message: "config.patch needs params.raw: the JSON5 text of an object",
        });
      }
      await ctx.gateway.options.config.patch(Object.fromEntries(Object.entries(patch)), params.baseHash);
      ctx.gateway.revalidateAll();
      return { ok: true, ...configPayload(ctx, true) };
    }),

  "config.apply": (params, ctx) =>
    configWrite(async () => {
      await ctx.gateway.options.config.set(params.raw, params.baseHash);
      ctx.gateway.revalidateAll();
      return {
        ok: true,
        restart: {
          scheduled: false,
          delayMs: params.restartDelayMs ?? 2000,
          mode: getPath(ctx.config(), "gateway.reload.mode") ?? "hybrid",
        },
        ...configPayload(ctx, true),
      };
    }),
} satisfies GatewayMethods;

const SECRET_KEY = /(token|password|secret|apikey|api_key|privatekey|credential)s?$/i;

/** A copy of a config with every secret-looking value replaced by {@link REDACTED}. */
export function redactSecrets(value: unknown): JsonObject {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== "object" || node === null) return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, child]) => [
        key,
        SECRET_KEY.test(key) && child !== null && typeof child !== "object" ? REDACTED : walk(child),
      ]),
    );
  };
  const redacted = walk(value);
  return typeof redacted === "object" && redacted !== null && !Array.isArray(redacted)
    ? Object.fromEntries(Object.entries(redacted))
    : {};
}
