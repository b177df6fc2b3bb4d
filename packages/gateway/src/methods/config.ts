import type { MethodResult } from "@openclaw/protocol";
import { scopeAllows } from "@openclaw/protocol/base";
import { getPath } from "../config-path.js";
import { GatewayMethodError } from "../types.js";
import type { GatewayMethodContext, GatewayMethods } from "./context.js";

type JsonObject = Record<string, unknown>;

/** The config snapshot a caller may see: secrets and the raw text need `operator.admin`. */
function configPayload(ctx: GatewayMethodContext, full: boolean): MethodResult<"config.get"> {
  const snapshot = ctx.gateway.options.config.snapshot();
  return {
    path: snapshot.path,
    exists: snapshot.exists,
    raw: full ? snapshot.raw : snapshot.raw === null ? null : "[redacted: needs operator.admin]",
    config: full ? snapshot.config : redactSecrets(snapshot.config),
    hash: snapshot.hash,
    valid: snapshot.valid,
    ...(snapshot.issues ? { issues: snapshot.issues } : {}),
  };
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

  "config.schema": async (_params, ctx) => ({ schema: await ctx.gateway.options.config.schema() }),

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

/** A copy of a config with every secret-looking value replaced by "[redacted]". */
export function redactSecrets(value: unknown): JsonObject {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== "object" || node === null) return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, child]) => [
        key,
        SECRET_KEY.test(key) && child !== null && typeof child !== "object" ? "[redacted]" : walk(child),
      ]),
    );
  };
  const redacted = walk(value);
  return typeof redacted === "object" && redacted !== null && !Array.isArray(redacted)
    ? Object.fromEntries(Object.entries(redacted))
    : {};
}
