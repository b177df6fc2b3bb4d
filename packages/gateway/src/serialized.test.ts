import { describe, expect, it } from "vitest";
import { okResponseText, serializedOf, withSerialized } from "./serialized.js";

describe("okResponseText", () => {
  it("is JSON.stringify of the response frame, with or without a registered payload", () => {
    const payload = { ok: true, nested: { list: [1, "two", null], text: 'quote " and \\ and \u2028' } };
    const ids = ["1", 'id with "quotes"', "ünïcode\n"];
    for (const id of ids) {
      const expected = JSON.stringify({ type: "res", id, ok: true, payload });
      expect(okResponseText(id, payload)).toBe(expected);
      expect(okResponseText(id, withSerialized(structuredClone(payload)))).toBe(expected);
    }
    for (const plain of [undefined, null, 3, "text", [1, 2]])
      expect(okResponseText("x", plain)).toBe(
        JSON.stringify({ type: "res", id: "x", ok: true, payload: plain }),
      );
  });

  it("only objects registered with withSerialized have a known text", () => {
    const registered = withSerialized({ a: 1 });
    expect(serializedOf(registered)).toBe('{"a":1}');
    expect(serializedOf({ a: 1 })).toBeUndefined();
    expect(serializedOf("text")).toBeUndefined();
  });
});
