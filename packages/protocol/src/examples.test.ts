import { describe, expect, it } from "vitest";
import { EVENT_EXAMPLES, METHOD_EXAMPLES } from "./__fixtures__/examples.js";
import { EVENT_NAMES, EVENTS, GatewayFrameSchema, METHOD_NAMES, METHODS, validateRequest } from "./index.js";

// Every schema of the registries, round-tripped through the wire: value → frame JSON → parse → value.

describe("round trip of every method and event schema", () => {
  it("has an example for every method and every event", () => {
    expect(Object.keys(METHOD_EXAMPLES).sort()).toEqual([...METHOD_NAMES].sort());
    expect(Object.keys(EVENT_EXAMPLES).sort()).toEqual([...EVENT_NAMES].sort());
  });

  for (const name of METHOD_NAMES) {
    it(`${name}: params and result survive the wire unchanged`, () => {
      const example = METHOD_EXAMPLES[name];
      const request = GatewayFrameSchema.parse(
        JSON.parse(JSON.stringify({ type: "req", id: "1", method: name, params: example.params })),
      );
      const granted = METHODS[name].scope === "node" ? ["node"] : ["operator.admin"];
      const validated = validateRequest(name, (request as { params?: unknown }).params, granted);
      if (!validated.ok) throw new Error(validated.error.message);
      expect(validated.params).toEqual(example.params);
      const response = GatewayFrameSchema.parse(
        JSON.parse(JSON.stringify({ type: "res", id: "1", ok: true, payload: example.result })),
      );
      expect(METHODS[name].result.parse((response as { payload?: unknown }).payload)).toEqual(example.result);
    });
  }

  for (const name of EVENT_NAMES) {
    it(`${name}: payload survives the wire unchanged`, () => {
      const frame = GatewayFrameSchema.parse(
        JSON.parse(JSON.stringify({ type: "event", event: name, payload: EVENT_EXAMPLES[name], seq: 1 })),
      );
      expect(EVENTS[name].payload.parse((frame as { payload?: unknown }).payload)).toEqual(
        EVENT_EXAMPLES[name],
      );
    });
  }

  it("rejects each method's params with an unknown key (closed), except the open ones", () => {
    // open: what OpenClaw's own CLI sends varies by release (health: probe-unknown.jsonl;
    // models.list: `includeDetails`, absent from its published schema)
    const open = new Set(["health", "status", "models.list", "usage.status"]);
    for (const name of METHOD_NAMES) {
      const params = { ...(METHOD_EXAMPLES[name].params as object), notAField: 1 };
      const granted = METHODS[name].scope === "node" ? ["node"] : ["operator.admin"];
      const result = validateRequest(name, params, granted);
      expect(result.ok, name).toBe(open.has(name));
    }
  });
});
