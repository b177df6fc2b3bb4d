import { describe, expect, it } from "vitest";
import { escapeHtml, isChannelPluginV1, renderFormattedText } from "./index.js";

const html = (ir: Parameters<typeof renderFormattedText>[0]) =>
  renderFormattedText(
    ir,
    (s) =>
      s.style === "link"
        ? { open: `<a href="${escapeHtml(s.href ?? "")}">`, close: "</a>" }
        : { open: `<${s.style[0]}>`, close: `</${s.style[0]}>` },
    escapeHtml,
  );

describe("renderFormattedText", () => {
  it("renders nested spans well formed and escapes text", () => {
    const out = html({
      text: "a <b> link c",
      spans: [
        { style: "bold", start: 0, end: 12 },
        { style: "link", start: 6, end: 10, href: "https://x.test/?a=1&b=2" },
      ],
    });
    expect(out).toBe('<b>a &lt;b&gt; <a href="https://x.test/?a=1&amp;b=2">link</a> c</b>');
  });

  it("clips a span that crosses its parent's end", () => {
    const out = html({
      text: "abcdef",
      spans: [
        { style: "bold", start: 0, end: 3 },
        { style: "italic", start: 2, end: 5 },
      ],
    });
    expect(out).toBe("<b>ab<i>c</i></b>def");
  });

  it("recognizes a v1 plugin and rejects other versions", () => {
    expect(isChannelPluginV1({ specificationVersion: "v1", id: "x" })).toBe(true);
    expect(isChannelPluginV1({ specificationVersion: "v2", id: "x" })).toBe(false);
  });
});
