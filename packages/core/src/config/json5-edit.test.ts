import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { setJson5Value, unsetJson5Value } from "./json5-edit.js";

const DOC = `// my config
{
  /* the gateway */
  gateway: {
    port: 18789, // default port
    bind: "loopback",
  },

  // keep me
  channels: { telegram: { enabled: true } },
  "quoted-key": 'single',
}
`;

describe("JSON5 text edits keep everything they do not touch", () => {
  it("replaces a value in place, keeping comments and layout", () => {
    const out = setJson5Value(DOC, ["gateway", "port"], 19000);
    expect(out).toBe(DOC.replace("port: 18789,", "port: 19000,"));
  });

  it("adds a key to a multi-line object after the last member (and its comment)", () => {
    const out = setJson5Value(DOC, ["gateway", "auth"], { mode: "token", token: "abc" });
    expect(out).toContain(
      '    bind: "loopback",\n    auth: {\n      mode: "token",\n      token: "abc",\n    },\n  },',
    );
    expect(out).toContain("// default port");
    expect(JSON5.parse(out).gateway).toEqual({
      port: 18789,
      bind: "loopback",
      auth: { mode: "token", token: "abc" },
    });
  });

  it("creates missing parents and edits inline objects inline", () => {
    const out = setJson5Value(DOC, ["channels", "telegram", "botToken"], "123:abc");
    expect(out).toContain('channels: { telegram: { enabled: true, botToken: "123:abc" } },');
    const deep = setJson5Value(DOC, ["logging", "level"], "debug");
    expect(JSON5.parse(deep).logging).toEqual({ level: "debug" });
    expect(deep).toContain("// keep me");
  });

  it("a member without a trailing comma gets one before the new key", () => {
    const out = setJson5Value('{\n  "a": 1\n}\n', ["b"], true);
    expect(out).toBe('{\n  "a": 1,\n  "b": true\n}\n');
  });

  it("removes a key with its line, keeping neighbours and comments", () => {
    const out = unsetJson5Value(DOC, ["gateway", "bind"]);
    expect(out).toBe(DOC.replace('    bind: "loopback",\n', ""));
    const inline = unsetJson5Value(DOC, ["channels", "telegram", "enabled"]);
    expect(JSON5.parse(inline).channels).toEqual({ telegram: {} });
    const last = unsetJson5Value("{ a: 1, b: 2 }", ["b"]);
    expect(last).toBe("{ a: 1 }");
    expect(unsetJson5Value(DOC, ["nope", "x"])).toBe(DOC);
  });

  it("appends to and replaces array items", () => {
    const doc = '{ allowFrom: ["a", "b"] }';
    expect(JSON5.parse(setJson5Value(doc, ["allowFrom", 2], "c")).allowFrom).toEqual(["a", "b", "c"]);
    expect(JSON5.parse(setJson5Value(doc, ["allowFrom", 0], "z")).allowFrom).toEqual(["z", "b"]);
    expect(JSON5.parse(unsetJson5Value(doc, ["allowFrom", 0])).allowFrom).toEqual(["b"]);
  });

  it("an empty document becomes an object", () => {
    expect(JSON5.parse(setJson5Value("", ["gateway", "port"], 1))).toEqual({ gateway: { port: 1 } });
  });
});
