// The Control UI's static files (apps/control-ui's build) at `/` or `gateway.controlUi.basePath`.
// Loaded with the first page request, never at start. Files are read on request (no cache, no
// scan); the SPA's routes fall back to index.html; without a build, `/` says how to make one.
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { getPath } from "./config-path.js";
import type { GatewayRuntime } from "./gateway.js";

/**
 * Scripts and styles from this origin only; the WebSocket only to this origin ('self' covers
 * ws:/wss: of the same host), so the page cannot be made to talk to another gateway.
 */
export const CONTROL_UI_CSP =
  "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; " +
  "script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

const NOT_BUILT = (root: string | undefined) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenClaw</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:4rem auto;padding:0 1rem}code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}</style>
</head><body><h1>OpenClaw gateway</h1>
<p>The gateway is running, but the Control UI is not built${root ? ` (nothing at <code>${escapeHtml(root)}</code>)` : ""}.</p>
<p>Build it from the source checkout with <code>pnpm build</code> (or only the UI: <code>pnpm --filter @openclaw/control-ui build</code>), then reload this page. <code>gateway.controlUi.root</code> points the gateway at another build.</p>
<p>Meanwhile: <a href="/chat">WebChat</a>, or from a terminal <code>openclaw status</code>, <code>openclaw tui</code>, <code>openclaw logs --follow</code>.</p>
</body></html>
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** `/ui/` from `gateway.controlUi.basePath` ("/" when unset). */
export function controlUiBasePath(config: Record<string, unknown>): string {
  const configured = getPath(config, "gateway.controlUi.basePath");
  const trimmed = typeof configured === "string" ? configured.trim().replace(/^\/+|\/+$/g, "") : "";
  return trimmed ? `/${trimmed}/` : "/";
}

/** The build directory: `gateway.controlUi.root`, else what the embedding app passed. */
function controlUiRoot(runtime: GatewayRuntime): string | undefined {
  const configured = getPath(runtime.config(), "gateway.controlUi.root");
  if (typeof configured === "string" && configured.trim()) return resolve(configured.trim());
  return runtime.options.controlUiRoot ? resolve(runtime.options.controlUiRoot) : undefined;
}

function send(
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  headers: Record<string, string>,
  head: boolean,
): void {
  res.writeHead(status, {
    ...headers,
    "Content-Security-Policy": CONTROL_UI_CSP,
    "Content-Length": String(Buffer.byteLength(body)),
  });
  res.end(head ? undefined : body);
}

async function fileAt(root: string, relative: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const full = resolve(join(root, decoded));
  if (full !== root && !full.startsWith(root + sep)) return undefined; // no way out of the build
  const info = await stat(full).catch(() => undefined);
  return info?.isFile() ? full : undefined;
}

/**
 * Answer a GET/HEAD for the Control UI. Returns false when the path is not the UI's (outside the
 * base path), so the caller answers 404.
 */
export async function serveControlUi(
  runtime: GatewayRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  headers: Record<string, string>,
): Promise<boolean> {
  const head = req.method === "HEAD";
  const base = controlUiBasePath(runtime.config());
  if (base !== "/" && path === base.slice(0, -1)) {
    res.writeHead(308, { ...headers, Location: base });
    res.end();
    return true;
  }
  if (!path.startsWith(base)) return false;
  if (getPath(runtime.config(), "gateway.controlUi.enabled") === false) {
    send(
      res,
      404,
      "The Control UI is disabled on this gateway (gateway.controlUi.enabled: false).\n",
      { ...headers, "Content-Type": "text/plain; charset=utf-8" },
      head,
    );
    return true;
  }
  const root = controlUiRoot(runtime);
  const relative = path.slice(base.length);
  const file = root && relative ? await fileAt(root, relative) : undefined;
  if (file) {
    const hashed = /\/assets\//.test(file);
    send(
      res,
      200,
      await readFile(file),
      {
        ...headers,
        "Content-Type": TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
        "Cache-Control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
      },
      head,
    );
    return true;
  }
  if (extname(relative) && relative !== "index.html") return false; // a missing asset is a 404
  const index = root ? await readFile(join(root, "index.html")).catch(() => undefined) : undefined;
  send(
    res,
    200,
    index ?? NOT_BUILT(root),
    {
      ...headers,
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-cache",
    },
    head,
  );
  return true;
}
