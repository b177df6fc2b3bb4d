import { describe, expect, it } from "vitest";
import * as z from "zod";
import {
  type ConfigShape,
  listChannelAccountIds,
  parseChannelBlock,
  zodFromConfigShape,
} from "./config-shape.js";

const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);

const shape: ConfigShape = {
  enabled: { type: "boolean" },
  token: { type: "string" },
  apiRoot: { type: "string", url: true },
  webhookUrl: { type: "string", minLength: 1 },
  webhookPort: { type: "int", min: 0, max: 65535 },
  mode: { type: "enum", values: ["off", "partial", "block"] },
  textChunkLimit: { type: "int", positive: true },
  throttle: {
    type: "custom",
    check: (value) => value === false || isObject(value),
    zod: (zod) => zod.union([zod.literal(false), zod.looseObject({})]),
  },
};

/** What the zod schema built from the same shape reports: `channels.demo.<path>: <message>`. */
function zodError(block: unknown): string | undefined {
  const parsed = zodFromConfigShape(z, shape).safeParse(block ?? {});
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `channels.demo.${issue?.path.join(".")}: ${issue?.message}`;
}

function checkError(block: unknown): string | undefined {
  try {
    parseChannelBlock("demo", block, shape);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe("parseChannelBlock (a channel's config block checked without zod)", () => {
  it.each<[string, unknown, string]>([
    ["a block that is not an object", [], "channels.demo.: Invalid input: expected object, received array"],
    [
      "a string for a boolean",
      { enabled: "yes" },
      "channels.demo.enabled: Invalid input: expected boolean, received string",
    ],
    [
      "a number for a token",
      { token: 12 },
      "channels.demo.token: Invalid input: expected string, received number",
    ],
    [
      "null for a token",
      { token: null },
      "channels.demo.token: Invalid input: expected string, received null",
    ],
    ["a URL that does not parse", { apiRoot: "not a url" }, "channels.demo.apiRoot: Invalid URL"],
    [
      "an empty string where one is required",
      { webhookUrl: "" },
      "channels.demo.webhookUrl: Too small: expected string to have >=1 characters",
    ],
    [
      "a port given as a string",
      { webhookPort: "8080" },
      "channels.demo.webhookPort: Invalid input: expected number, received string",
    ],
    [
      "a fractional port",
      { webhookPort: 80.5 },
      "channels.demo.webhookPort: Invalid input: expected int, received number",
    ],
    [
      "a negative port",
      { webhookPort: -1 },
      "channels.demo.webhookPort: Too small: expected number to be >=0",
    ],
    [
      "a port above 65535",
      { webhookPort: 70000 },
      "channels.demo.webhookPort: Too big: expected number to be <=65535",
    ],
    [
      "NaN for a port",
      { webhookPort: Number.NaN },
      "channels.demo.webhookPort: Invalid input: expected number, received NaN",
    ],
    [
      "an unknown mode",
      { mode: "fast" },
      'channels.demo.mode: Invalid option: expected one of "off"|"partial"|"block"',
    ],
    [
      "a zero chunk limit",
      { textChunkLimit: 0 },
      "channels.demo.textChunkLimit: Too small: expected number to be >0",
    ],
    [
      "true where false or an object is expected",
      { throttle: true },
      "channels.demo.throttle: Invalid input",
    ],
    [
      "accounts that are not a map",
      { accounts: ["a"] },
      "channels.demo.accounts: Invalid input: expected record, received array",
    ],
    [
      "an account that is not an object",
      { accounts: { work: "x" } },
      "channels.demo.accounts.work: Invalid input: expected object, received string",
    ],
    [
      "a bad key inside an account",
      { accounts: { work: { webhookPort: "x" } } },
      "channels.demo.accounts.work.webhookPort: Invalid input: expected number, received string",
    ],
    [
      "the first of two problems, in key order",
      { webhookPort: "x", token: 1 },
      "channels.demo.token: Invalid input: expected string, received number",
    ],
  ])(
    "%s: the error names the key and says what is wrong, as the zod schema does",
    (_name, block, message) => {
      expect(checkError(block)).toBe(message);
      expect(zodError(block)).toBe(message);
    },
  );

  it("accepts a valid block, keeps unknown keys and trims URLs like zod", () => {
    const block = {
      token: "t",
      apiRoot: "  http://127.0.0.1:8081/bot \n",
      webhookPort: 0,
      mode: "partial",
      throttle: false,
      dmPolicy: "open",
      accounts: { work: { token: "w", allowFrom: ["*"] } },
    };
    const parsed = parseChannelBlock("demo", block, shape);
    expect(parsed).toEqual(zodFromConfigShape(z, shape).parse(block));
    expect(parsed.apiRoot).toBe("http://127.0.0.1:8081/bot");
    expect(parsed.dmPolicy).toBe("open");
    expect(parsed.accounts?.work?.allowFrom).toEqual(["*"]);
    expect(parseChannelBlock("demo", undefined, shape)).toEqual({});
  });
});

describe("listChannelAccountIds", () => {
  it("is the default account alone without named accounts", () => {
    expect(listChannelAccountIds(undefined, "botToken")).toEqual(["default"]);
    expect(listChannelAccountIds({ botToken: "t" }, "botToken")).toEqual(["default"]);
    expect(listChannelAccountIds({ accounts: {} })).toEqual(["default"]);
  });

  it("lists named accounts, with the default first only when the top level has its own credential", () => {
    const accounts = { work: { botToken: "w" }, home: { botToken: "h" } };
    expect(listChannelAccountIds({ accounts }, "botToken")).toEqual(["work", "home"]);
    expect(listChannelAccountIds({ botToken: "t", accounts }, "botToken")).toEqual([
      "default",
      "work",
      "home",
    ]);
    expect(listChannelAccountIds({ botToken: "t", accounts: { default: {}, work: {} } }, "botToken")).toEqual(
      ["default", "work"],
    );
    // without a credential key (WhatsApp: the login lives in the auth dir), named accounts only
    expect(listChannelAccountIds({ accounts })).toEqual(["work", "home"]);
  });
});
