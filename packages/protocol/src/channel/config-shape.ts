/**
 * A channel's `channels.<id>` keys, described once without zod. `parseChannelBlock` checks a block
 * at connect (the plugin contract's `config.resolveAccount` is synchronous, and loading zod there
 * costs ~9 MB resident); `zodFromConfigShape` builds the equivalent zod schema, for the plugin's
 * `configSchema`, only when someone asks for it. Messages match zod v4's, so a config reports the
 * same error either way.
 */
import type * as z from "zod";

export type ConfigField =
  | { readonly type: "boolean" }
  | { readonly type: "string"; readonly minLength?: number; readonly url?: boolean }
  | {
      readonly type: "int";
      readonly min?: number;
      readonly max?: number;
      /** `> 0` (zod's `.positive()`). */
      readonly positive?: boolean;
    }
  | { readonly type: "enum"; readonly values: readonly string[] }
  | {
      /** Anything else: `check` says whether the value is accepted ("Invalid input" otherwise). */
      readonly type: "custom";
      readonly check: (value: unknown) => boolean;
      readonly zod: (zod: typeof z) => z.ZodType;
    };

/** The keys of one account (the block's top level and each `accounts.<id>` share them). */
export type ConfigShape = Readonly<Record<string, ConfigField>>;

/** A checked block: the shape's keys (URLs trimmed), unknown keys kept as they were. */
export type ParsedChannelBlock = Record<string, unknown> & {
  accounts?: Record<string, Record<string, unknown>>;
};

/** zod's name for the type it received. */
function received(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    return Number.isFinite(value) ? "number" : "Infinity";
  }
  return typeof value;
}

const expected = (type: string, value: unknown) =>
  `Invalid input: expected ${type}, received ${received(value)}`;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The problem with `value` for `field` (zod's message), or the accepted value. */
function checkField(field: ConfigField, value: unknown): { error: string } | { value: unknown } {
  switch (field.type) {
    case "boolean":
      return typeof value === "boolean" ? { value } : { error: expected("boolean", value) };
    case "string": {
      if (typeof value !== "string") return { error: expected("string", value) };
      if (field.minLength !== undefined && value.length < field.minLength)
        return { error: `Too small: expected string to have >=${field.minLength} characters` };
      if (!field.url) return { value };
      const trimmed = value.trim();
      return URL.canParse(trimmed) ? { value: trimmed.replace(/[\t\n\r]/g, "") } : { error: "Invalid URL" };
    }
    case "int": {
      if (typeof value !== "number" || !Number.isFinite(value)) return { error: expected("number", value) };
      if (!Number.isInteger(value)) return { error: expected("int", value) };
      if (field.min !== undefined && value < field.min)
        return { error: `Too small: expected number to be >=${field.min}` };
      if (field.positive && value <= 0) return { error: "Too small: expected number to be >0" };
      if (field.max !== undefined && value > field.max)
        return { error: `Too big: expected number to be <=${field.max}` };
      return { value };
    }
    case "enum":
      return typeof value === "string" && field.values.includes(value)
        ? { value }
        : {
            error: `Invalid option: expected one of ${field.values.map((v) => JSON.stringify(v)).join("|")}`,
          };
    case "custom":
      return field.check(value) ? { value } : { error: "Invalid input" };
  }
}

class BlockError extends Error {
  constructor(
    readonly path: string[],
    readonly reason: string,
  ) {
    super(reason);
  }
}

function checkAccount(shape: ConfigShape, value: unknown, path: string[]): Record<string, unknown> {
  if (!isPlainObject(value)) throw new BlockError(path, expected("object", value));
  const out: Record<string, unknown> = { ...value };
  for (const [key, field] of Object.entries(shape)) {
    if (value[key] === undefined) continue;
    const result = checkField(field, value[key]);
    if ("error" in result) throw new BlockError([...path, key], result.error);
    out[key] = result.value;
  }
  return out;
}

/**
 * Check `channels.<channelId>` against its account shape (top level, then `accounts.<id>`); throws
 * `channels.<channelId>.<path>: <message>` for the first problem, in the shape's key order.
 */
export function parseChannelBlock(channelId: string, block: unknown, shape: ConfigShape): ParsedChannelBlock {
  try {
    const top = checkAccount(shape, block ?? {}, []);
    const accounts = top.accounts;
    if (accounts === undefined) return top;
    if (!isPlainObject(accounts)) throw new BlockError(["accounts"], expected("record", accounts));
    const checked: Record<string, Record<string, unknown>> = {};
    for (const [id, account] of Object.entries(accounts))
      checked[id] = checkAccount(shape, account, ["accounts", id]);
    return { ...top, accounts: checked };
  } catch (error) {
    if (!(error instanceof BlockError)) throw error;
    throw new Error(`channels.${channelId}.${error.path.join(".")}: ${error.reason}`);
  }
}

/** The zod schema of a block with this account shape (`accounts.<id>` share it); `zod` is the caller's. */
export function zodFromConfigShape(zod: typeof z, shape: ConfigShape): z.ZodType {
  const fields: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(shape)) fields[key] = zodField(zod, field).optional();
  return zod.looseObject({
    ...fields,
    accounts: zod.record(zod.string(), zod.looseObject(fields)).optional(),
  });
}

function zodField(zod: typeof z, field: ConfigField): z.ZodType {
  switch (field.type) {
    case "boolean":
      return zod.boolean();
    case "string": {
      let schema = zod.string();
      if (field.minLength !== undefined) schema = schema.min(field.minLength);
      return field.url ? schema.url() : schema;
    }
    case "int": {
      let schema = zod.number().int();
      if (field.min !== undefined) schema = schema.min(field.min);
      if (field.positive) schema = schema.positive();
      if (field.max !== undefined) schema = schema.max(field.max);
      return schema;
    }
    case "enum":
      return zod.enum(field.values as [string, ...string[]]);
    case "custom":
      return field.zod(zod);
  }
}

/**
 * The account ids a `channels.<id>` block configures (OpenClaw's rule): the ids under `accounts`,
 * with "default" first when there are none or when the block's top level carries the account's
 * own credential (`credentialKey`, e.g. `botToken`): top-level keys are then an account of their
 * own, not only defaults for the named ones.
 */
export function listChannelAccountIds(
  block: Record<string, unknown> | undefined,
  credentialKey?: string,
): string[] {
  const ids = Object.keys(isPlainObject(block?.accounts) ? block.accounts : {});
  if (ids.length === 0 || (credentialKey !== undefined && block?.[credentialKey] !== undefined))
    return ["default", ...ids.filter((id) => id !== "default")];
  return ids;
}
