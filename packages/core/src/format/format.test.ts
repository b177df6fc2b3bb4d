import { describe, expect, it } from "vitest";
import { chunkForChannel, chunkFormattedText } from "./chunk.js";
import { markdownToIR } from "./markdown-to-ir.js";

const styled = (ir: ReturnType<typeof markdownToIR>, style: string) =>
  ir.spans.filter((s) => s.style === style).map((s) => ir.text.slice(s.start, s.end));

describe("markdownToIR", () => {
  it("turns emphasis, code, links and headings into spans over plain text", () => {
    const ir = markdownToIR(
      "# Title\n\nSome **bold** and *it* and ~~gone~~ and `x()` see [docs](https://d.test/a?b=1).",
    );
    expect(ir.text).toBe("Title\n\nSome bold and it and gone and x() see docs.");
    expect(styled(ir, "bold")).toEqual(["Title", "bold"]);
    expect(styled(ir, "italic")).toEqual(["it"]);
    expect(styled(ir, "strike")).toEqual(["gone"]);
    expect(styled(ir, "code")).toEqual(["x()"]);
    expect(ir.spans.find((s) => s.style === "link")?.href).toBe("https://d.test/a?b=1");
  });

  it("keeps fences as pre spans with their language and lists with markers", () => {
    const ir = markdownToIR("Steps:\n\n- one\n- two\n\n1. a\n2. b\n\n```ts\nconst a = 1;\n```\n");
    expect(ir.text).toBe("Steps:\n\n• one\n• two\n\n1. a\n2. b\n\nconst a = 1;");
    const pre = ir.spans.find((s) => s.style === "pre");
    expect(pre?.language).toBe("ts");
    expect(ir.text.slice(pre?.start, pre?.end)).toBe("const a = 1;");
  });

  it("renders tables as a code block by default", () => {
    const ir = markdownToIR("| a | bb |\n|---|---|\n| 1 | 2 |\n");
    expect(ir.spans[0]?.style).toBe("pre");
    expect(ir.text).toContain("a | bb");
  });
});

describe("chunkFormattedText", () => {
  it("never exceeds the limit and prefers paragraph breaks", () => {
    const para = "word ".repeat(30).trim();
    const ir = markdownToIR(Array.from({ length: 10 }, () => para).join("\n\n"));
    const chunks = chunkFormattedText(ir, 400);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(400);
    expect(chunks.map((c) => c.text).join("\n\n")).toBe(ir.text);
    expect(chunks.length).toBe(5);
  });

  it("keeps a code fence whole when it fits, cutting before it", () => {
    const code = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
    const ir = markdownToIR(`${"intro ".repeat(20)}\n\n\`\`\`\n${code}\n\`\`\`\n\nafter`);
    const chunks = chunkFormattedText(ir, 200);
    const withCode = chunks.filter((c) => c.spans.some((s) => s.style === "pre"));
    expect(withCode).toHaveLength(1);
    expect(withCode[0]?.text.startsWith("line 0")).toBe(true);
    expect(withCode[0]?.text).toContain("line 19");
  });

  it("splits an oversized code block on lines and reopens the pre style in each chunk", () => {
    const code = Array.from({ length: 100 }, (_, i) => `console.log(${i});`).join("\n");
    const ir = markdownToIR(`\`\`\`js\n${code}\n\`\`\``);
    const chunks = chunkFormattedText(ir, 300);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(300);
      expect(c.spans[0]).toMatchObject({ style: "pre", start: 0, end: c.text.length, language: "js" });
      expect(c.text.endsWith(";")).toBe(true);
    }
  });

  it("reopens bold across a cut and never splits a surrogate pair", () => {
    const ir = { text: "😀".repeat(50), spans: [{ style: "bold" as const, start: 0, end: 100 }] };
    const chunks = chunkFormattedText(ir, 7);
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(7);
      expect(c.spans[0]).toMatchObject({ style: "bold", start: 0, end: c.text.length });
      expect(c.text.length % 2).toBe(0);
    }
    expect(chunks.map((c) => c.text).join("")).toBe(ir.text);
  });

  it("respects a rendered-size measure (markup overhead)", () => {
    const ir = markdownToIR(`**${"ab ".repeat(400).trim()}**`);
    const chunks = chunkForChannel(ir, 100, (c) => c.text.length + c.spans.length * 4);
    for (const c of chunks) expect(c.text.length + c.spans.length * 4).toBeLessThanOrEqual(100);
  });

  it("rejects a nonsensical limit with a clear error", () => {
    expect(() => chunkFormattedText({ text: "x", spans: [] }, 0)).toThrow(/chunk limit/);
  });
});
