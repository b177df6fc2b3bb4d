import { lookup } from "node:dns/promises";
import net from "node:net";
import { z } from "zod";
import { defineTool, ToolError } from "./types.js";

/** True for loopback, private, link-local, CGNAT, unique-local and unspecified addresses. */
export function isPrivateAddress(address: string): boolean {
  const mapped = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : address;
  if (net.isIPv4(mapped)) {
    const [a = 0, b = 0] = mapped.split(".").map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  const lower = mapped.toLowerCase();
  return (
    lower === "::1" ||
    lower === "::" ||
    lower.startsWith("fc") ||
    lower.startsWith("fd") ||
    lower.startsWith("fe80")
  );
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** A small, dependency-free HTML → readable text conversion (headings, lists, links kept). */
export function htmlToText(html: string): { title?: string; text: string } {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1]?.trim();
  let body = html
    .replace(/<(script|style|noscript|svg|head|title|iframe|template)[\s\S]*?<\/\1>/gi, "")
    .replace(/<!--[\s\S]*?-->/g, "");
  body = body
    .replace(/<h([1-6])[^>]*>/gi, (_m, level: string) => `\n\n${"#".repeat(Number(level))} `)
    .replace(/<\/h[1-6]>/gi, "\n\n")
    .replace(/<li[^>]*>/gi, "\n- ")
    .replace(
      /<a\s[^>]*href=["']([^"']+)["'][^>]*>([\s\S]*?)<\/a>/gi,
      (_m, href: string, inner: string) => `[${inner}](${href})`,
    )
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|section|article|tr|ul|ol|table|blockquote|pre)>/gi, "\n\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&(#x?[0-9a-f]+|\w+);/gi, (match, entity: string) => {
      if (entity.startsWith("#x") || entity.startsWith("#X"))
        return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
      if (entity.startsWith("#")) return String.fromCodePoint(Number(entity.slice(1)));
      return ENTITIES[entity.toLowerCase()] ?? match;
    });
  const text = body
    .split("\n")
    .map((line) => line.replace(/[ \t]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return { title, text };
}

export const webFetchTool = defineTool({
  name: "web_fetch",
  description: "Fetch a web page over http(s) and return it as readable text (HTML converted, size-capped).",
  parameters: z.object({
    url: z.string().url(),
    maxChars: z.number().int().min(100).optional(),
  }),
  async execute(params, context) {
    const settings = context.toolsConfig.web?.fetch ?? {};
    if (settings.enabled === false)
      throw new ToolError("disabled", "web_fetch is disabled (tools.web.fetch.enabled = false)");
    const url = new URL(params.url);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new ToolError("invalid_url", `web_fetch only supports http and https, not ${url.protocol}`);
    const checkHost = async (target: URL) => {
      if (settings.allowPrivateNetwork) return;
      const host = target.hostname.replace(/^\[|\]$/g, "");
      const addresses = net.isIP(host)
        ? [host]
        : (await lookup(host, { all: true }).catch(() => [])).map((entry) => entry.address);
      if (host === "localhost" || addresses.some(isPrivateAddress))
        throw new ToolError(
          "blocked_address",
          `web_fetch refused ${target.hostname}: it resolves to a private or loopback address (set tools.web.fetch.allowPrivateNetwork to allow)`,
        );
    };
    const maxChars = params.maxChars ?? settings.maxChars ?? 50_000;
    const timeout = AbortSignal.timeout((settings.timeoutSeconds ?? 30) * 1000);
    // follow redirects by hand so every hop is checked against the private-address rule
    let current = url;
    let response: Response | undefined;
    for (let hop = 0; hop <= 5; hop++) {
      await checkHost(current);
      response = await context.fetch(current, {
        signal: AbortSignal.any([context.signal, timeout]),
        redirect: "manual",
        headers: {
          "user-agent": "OpenClaw web_fetch",
          accept: "text/html,text/plain,application/json;q=0.9,*/*;q=0.5",
        },
      });
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel().catch(() => {});
        current = new URL(location, current);
        if (current.protocol !== "http:" && current.protocol !== "https:")
          throw new ToolError("invalid_url", `web_fetch: redirect to unsupported scheme ${current.protocol}`);
        continue;
      }
      break;
    }
    if (!response || (response.status >= 300 && response.status < 400))
      throw new ToolError("too_many_redirects", `web_fetch ${url.href}: too many redirects`);
    if (!response.ok)
      throw new ToolError(
        "http_error",
        `web_fetch ${current.href} failed: HTTP ${response.status} ${response.statusText}`,
      );
    // read at most ~4x the char cap so a huge body never sits in memory whole
    const byteCap = maxChars * 4 + 1024;
    const reader = response.body?.getReader();
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    if (reader) {
      while (bytes < byteCap) {
        const { value, done } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.byteLength;
      }
      await reader.cancel().catch(() => {});
    }
    const raw = Buffer.concat(chunks).toString("utf8");
    const type = response.headers.get("content-type") ?? "";
    const converted =
      /html/i.test(type) || /^\s*<(!doctype|html)/i.test(raw) ? htmlToText(raw) : { text: raw };
    const truncated = converted.text.length > maxChars;
    const text = truncated
      ? `${converted.text.slice(0, maxChars)}\n[truncated at ${maxChars} chars]`
      : converted.text;
    return {
      content: `${converted.title ? `# ${converted.title}\n\n` : ""}${text}`,
      details: { url: current.href, status: response.status, contentType: type, truncated },
    };
  },
});
