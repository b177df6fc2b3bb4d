import { BUILTIN_TOOL_INPUT_SCHEMAS } from "./builtin-tool-schemas.js";
import { defineTool, ToolError } from "./types.js";

/** Brave Search's web endpoint (the provider OpenClaw's `web_search` uses by default). */
export const BRAVE_SEARCH_URL = "https://api.search.brave.com/res/v1/web/search";

interface SearchResult {
  title: string;
  url: string;
  description: string;
}

/** Answers by query and count, kept `cacheTtlMinutes` (a model often repeats a search in a turn). */
const cache = new Map<string, { at: number; results: SearchResult[] }>();

function apiKeyOf(configured: unknown): string | undefined {
  if (typeof configured === "string" && configured.trim()) return configured.trim();
  return process.env.BRAVE_API_KEY?.trim() || undefined;
}

function format(query: string, results: SearchResult[]): string {
  if (results.length === 0) return `No results for "${query}".`;
  return results
    .map(
      (result, index) =>
        `${index + 1}. ${result.title}\n   ${result.url}${result.description ? `\n   ${result.description}` : ""}`,
    )
    .join("\n");
}

async function braveSearch(
  query: string,
  count: number,
  key: string,
  options: { fetch: typeof fetch; signal: AbortSignal },
): Promise<SearchResult[]> {
  const url = new URL(BRAVE_SEARCH_URL);
  url.searchParams.set("q", query);
  url.searchParams.set("count", String(count));
  let response: Response;
  try {
    response = await options.fetch(url, {
      headers: { accept: "application/json", "x-subscription-token": key },
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal.aborted) throw new ToolError("timeout", "web_search: Brave Search timed out");
    throw new ToolError("fetch_failed", `web_search: Brave Search unreachable: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const detail = (await response.text().catch(() => "")).slice(0, 200);
    const hint =
      response.status === 401 || response.status === 403 ? " (check the Brave Search API key)" : "";
    throw new ToolError(
      "http_error",
      `web_search: Brave Search answered HTTP ${response.status}${hint}${detail ? `: ${detail}` : ""}`,
    );
  }
  const body = (await response.json().catch(() => undefined)) as
    | { web?: { results?: Array<{ title?: unknown; url?: unknown; description?: unknown }> } }
    | undefined;
  return (body?.web?.results ?? [])
    .filter((result) => typeof result.url === "string")
    .slice(0, count)
    .map((result) => ({
      title: typeof result.title === "string" ? result.title : String(result.url),
      url: String(result.url),
      // Brave marks the matched words with <strong>
      description: typeof result.description === "string" ? result.description.replace(/<[^>]+>/g, "") : "",
    }));
}

export const webSearchTool = defineTool({
  name: "web_search",
  description:
    "Search the web (Brave Search) and return titles, URLs and snippets; read a page with web_fetch.",
  parameters: async () => (await import("./tool-parameters.js")).webSearchParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.web_search,
  async execute(params, context) {
    const settings = context.toolsConfig.web?.search ?? {};
    if (settings.enabled === false)
      throw new ToolError("disabled", "web_search is disabled (tools.web.search.enabled = false)");
    if (settings.provider !== undefined && settings.provider !== "brave")
      throw new ToolError(
        "unsupported",
        `web_search: provider "${settings.provider}" is not supported here; use "brave"`,
      );
    const key = apiKeyOf(settings.apiKey);
    if (!key)
      throw new ToolError(
        "missing_api_key",
        "web_search needs a Brave Search API key: set tools.web.search.apiKey (`openclaw config set tools.web.search.apiKey <key>`) or BRAVE_API_KEY for the gateway",
      );
    const count = params.count ?? settings.maxResults ?? 5;
    const cacheKey = `${count}\u0000${params.query}`;
    const ttlMs = (settings.cacheTtlMinutes ?? 15) * 60_000;
    const cached = cache.get(cacheKey);
    let results: SearchResult[];
    if (cached && context.now() - cached.at < ttlMs) results = cached.results;
    else {
      const timeout = AbortSignal.timeout((settings.timeoutSeconds ?? 30) * 1000);
      results = await braveSearch(params.query, count, key, {
        fetch: context.fetch,
        signal: AbortSignal.any([context.signal, timeout]),
      });
      if (ttlMs > 0) {
        if (cache.size >= 100) cache.delete(cache.keys().next().value as string);
        cache.set(cacheKey, { at: context.now(), results });
      }
    }
    return {
      content: format(params.query, results),
      details: { provider: "brave", count: results.length, results },
    };
  },
});
