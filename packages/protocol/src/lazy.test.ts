import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConnectParamsSchema } from "./handshake.js";
import { lazy } from "./lazy.js";
import { METHODS } from "./methods.js";
import { SessionsListParamsSchema } from "./schemas/sessions.js";

describe("lazy schemas", () => {
  it("builds the real value once, on first use", () => {
    let builds = 0;
    const schema = lazy(() => {
      builds++;
      return z.strictObject({ name: z.string() });
    });
    expect(builds).toBe(0);
    expect(schema.safeParse({ name: "a" }).success).toBe(true);
    expect(schema.safeParse({ name: 1 }).success).toBe(false);
    expect(builds).toBe(1);
  });

  it("behaves like the schema it stands for: instanceof, shape, keys, extend, embedding", () => {
    expect(SessionsListParamsSchema).toBeInstanceOf(z.ZodObject);
    expect(Object.keys(ConnectParamsSchema.shape)).toContain("minProtocol");
    const extended = ConnectParamsSchema.extend({ extra: z.literal(true) });
    expect(Object.keys(extended.shape)).toContain("extra");
    const wrapper = z.object({ params: SessionsListParamsSchema.optional() });
    expect(wrapper.safeParse({ params: { limit: "x" } }).success).toBe(false);
    expect(wrapper.safeParse({ params: {} }).success).toBe(true);
  });

  it("converts to the same JSON Schema as an eagerly built copy", () => {
    const eager = z.strictObject({ name: z.string().min(1), tags: z.array(z.string()).optional() });
    const stand = lazy(() =>
      z.strictObject({ name: z.string().min(1), tags: z.array(z.string()).optional() }),
    );
    expect(z.toJSONSchema(stand)).toEqual(z.toJSONSchema(eager));
  });

  it("keeps the registry usable: a registry schema validates and rejects with zod issues", () => {
    expect(METHODS["sessions.list"].params.safeParse({}).success).toBe(true);
    const bad = METHODS["sessions.list"].params.safeParse({ nope: 1 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.code).toBe("unrecognized_keys");
  });
});
