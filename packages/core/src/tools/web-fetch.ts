import { BUILTIN_TOOL_INPUT_SCHEMAS } from "./builtin-tool-schemas.js";
import { BlockedAddressError, type PinnedResponse, pinnedRequest } from "./pinned-request.js";
import { defineTool, ToolError } from "./types.js";

export { isPrivateAddress } from "./net-address.js";

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
  parameters: async () => (await import("./tool-parameters.js")).webFetchParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.web_fetch,
  async execute(params, context) {
    const settings = context.toolsConfig.web?.fetch ?? {};
    if (settings.enabled === false)
      throw new ToolError("disabled", "web_fetch is disabled (tools.web.fetch.enabled = false)");
    const url = new URL(params.url);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new ToolError("invalid_url", `web_fetch only supports http and https, not ${url.protocol}`);
    const maxChars = params.maxChars ?? settings.maxChars ?? 50_000;
    const timeout = AbortSignal.timeout((settings.timeoutSeconds ?? 30) * 1000);
    const { response, url: finalUrl } = await fetchFollowingRedirects(url, {
      signal: AbortSignal.any([context.signal, timeout]),
      allowPrivate: settings.allowPrivateNetwork === true,
    });
    const current = finalUrl;
    if (response.status < 200 || response.status >= 300) {
      response.body.destroy();
      throw new ToolError(
        "http_error",
        `web_fetch ${current.href} failed: HTTP ${response.status} ${response.statusText}`,
      );
    }
    // read at most ~4x the char cap so a huge body never sits in memory whole
    const byteCap = maxChars * 4 + 1024;
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      bytes += chunk.byteLength;
      if (bytes >= byteCap) break;
    }
    response.body.destroy();
    const raw = Buffer.concat(chunks).toString("utf8");
    const type = response.header("content-type") ?? "";
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

const FETCH_HEADERS = {
  "user-agent": "OpenClaw web_fetch",
  accept: "text/html,text/plain,application/json;q=0.9,*/*;q=0.5",
};

/**
 * GET `start`, following up to 5 redirects by hand: every hop goes through `pinnedRequest`, so
 * the address actually connected to is checked on each one.
 */
export async function fetchFollowingRedirects(
  start: URL,
  options: { signal: AbortSignal; allowPrivate: boolean },
  request: typeof pinnedRequest = pinnedRequest,
): Promise<{ response: PinnedResponse; url: URL }> {
  let current = start;
  for (let hop = 0; hop <= 5; hop++) {
    let response: PinnedResponse;
    try {
      response = await request(current, { ...options, headers: FETCH_HEADERS });
    } catch (error) {
      if (error instanceof BlockedAddressError)
        throw new ToolError(
          "blocked_address",
          `web_fetch refused ${current.hostname}: ${error.message} (set tools.web.fetch.allowPrivateNetwork to allow)`,
        );
      if (options.signal.aborted) throw new ToolError("timeout", `web_fetch ${current.href}: timed out`);
      throw new ToolError("fetch_failed", `web_fetch ${current.href} failed: ${(error as Error).message}`);
    }
    const location = response.header("location");
    if (response.status < 300 || response.status >= 400 || !location) return { response, url: current };
    response.body.destroy();
    current = new URL(location, current);
    if (current.protocol !== "http:" && current.protocol !== "https:")
      throw new ToolError("invalid_url", `web_fetch: redirect to unsupported scheme ${current.protocol}`);
  }
  throw new ToolError("too_many_redirects", `web_fetch ${start.href}: too many redirects`);
}
