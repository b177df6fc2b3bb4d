import type { IncomingMessage, ServerResponse } from "node:http";

// Minimal built-in WebChat, served by the gateway's HTTP router (http.ts) at /chat.
// A user with no messaging channel configured opens http://127.0.0.1:18789/chat#token=<gateway token>
// and chats with the main agent over the gateway's own WebSocket (`chat.send`, `chat.history`,
// `chat` events). No inline script: the page loads /chat/webchat.js, so the gateway's CSP
// (`script-src 'self'`) stays as strict as it is.

/** Where the gateway serves the page (`GET /chat`) and its script (`GET /chat/webchat.js`). */
export const WEBCHAT_PATH = "/chat";

export const WEBCHAT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>OpenClaw WebChat</title>
<style>
body{font:16px/1.45 system-ui,sans-serif;margin:0;display:flex;flex-direction:column;height:100vh;color:#1d1d1f;background:#f6f6f7}
header{padding:.6rem 1rem;background:#fff;border-bottom:1px solid #ddd;display:flex;gap:1rem;align-items:center}
header b{flex:1} #status{font-size:.85rem;color:#666}
#log{flex:1;overflow:auto;padding:1rem;display:flex;flex-direction:column;gap:.5rem}
.msg{max-width:75%;padding:.5rem .75rem;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}
.user{align-self:flex-end;background:#0a84ff;color:#fff}.assistant{align-self:flex-start;background:#fff;border:1px solid #e1e1e3}
.error{align-self:center;color:#b00020;font-size:.9rem}
form{display:flex;gap:.5rem;padding:.75rem;background:#fff;border-top:1px solid #ddd}
textarea{flex:1;resize:none;font:inherit;padding:.5rem;border:1px solid #ccc;border-radius:8px;height:2.6rem}
button{font:inherit;padding:0 1rem;border:0;border-radius:8px;background:#0a84ff;color:#fff}
</style></head><body>
<header><b>OpenClaw</b><span id="status">connecting…</span></header>
<main id="log" aria-live="polite"></main>
<form id="composer"><textarea id="input" placeholder="Message your assistant… (Enter to send, Shift+Enter for a new line)" aria-label="message"></textarea><button>Send</button></form>
<script src="/chat/webchat.js"></script>
</body></html>
`;

/**
 * The page's script. `OpenClawWebChat.connect(options)` is the protocol part (usable from Node in
 * tests: pass `WebSocket` and `storage`); the DOM glue at the end runs only in a browser.
 */
export const WEBCHAT_JS = `(function (global) {
  "use strict";
  function randomId() {
    var bytes = new Uint8Array(12);
    global.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function textOf(message) {
    if (!message || !message.content) return "";
    return message.content.map(function (part) { return part && part.type === "text" ? part.text : ""; }).join("");
  }
  function connect(options) {
    var WS = options.WebSocket || global.WebSocket;
    var storage = options.storage || global.localStorage;
    var browserId = storage.getItem("openclaw.webchat.id");
    if (!browserId) { browserId = randomId(); storage.setItem("openclaw.webchat.id", browserId); }
    var sessionKey = options.sessionKey || "webchat:" + browserId;
    var socket = new WS(options.url);
    var pending = {};
    var nextId = 1;
    var listeners = [];
    var runs = {};
    function emit(event) { listeners.forEach(function (l) { l(event); }); }
    function request(method, params) {
      return new Promise(function (resolve, reject) {
        var id = "wc" + nextId++;
        pending[id] = { resolve: resolve, reject: reject };
        socket.send(JSON.stringify({ type: "req", id: id, method: method, params: params }));
      });
    }
    var ready = new Promise(function (resolve, reject) {
      socket.onerror = function () { reject(new Error("cannot reach the gateway at " + options.url)); };
      socket.onclose = function (event) {
        emit({ type: "closed", code: event.code, reason: event.reason });
        reject(new Error("connection closed (" + event.code + (event.reason ? ": " + event.reason : "") + ")"));
      };
      socket.onmessage = function (raw) {
        var frame;
        try { frame = JSON.parse(typeof raw.data === "string" ? raw.data : String(raw.data)); } catch (e) { return; }
        if (frame.type === "event" && frame.event === "connect.challenge") {
          request("connect", {
            minProtocol: 3, maxProtocol: 4,
            client: { id: "webchat-ui", version: options.version || "webchat", platform: "web", mode: "webchat" },
            role: "operator", scopes: ["operator.read", "operator.write"],
            auth: options.token ? { token: options.token } : {}
          }).then(resolve, reject);
          return;
        }
        if (frame.type === "res" && pending[frame.id]) {
          var p = pending[frame.id]; delete pending[frame.id];
          if (frame.ok) p.resolve(frame.payload);
          else p.reject(Object.assign(new Error(frame.error && frame.error.message || "request failed"), { shape: frame.error }));
          return;
        }
        if (frame.type === "event" && frame.event === "chat" && frame.payload && frame.payload.sessionKey) {
          var c = frame.payload;
          if (String(c.sessionKey).indexOf(browserId) === -1 && c.sessionKey !== sessionKey) return;
          var text = runs[c.runId] || "";
          if (c.state === "delta") text = c.replace ? (c.deltaText || "") : text + (c.deltaText || "");
          if (c.state === "final") text = textOf(c.message) || text;
          runs[c.runId] = text;
          emit({ type: c.state, runId: c.runId, text: c.state === "error" ? (c.errorMessage || "error") : text });
        }
      };
    });
    return ready.then(function (hello) {
      return {
        hello: hello,
        sessionKey: sessionKey,
        onEvent: function (listener) { listeners.push(listener); },
        history: function () {
          return request("chat.history", { sessionKey: sessionKey, limit: 200 }).then(function (r) {
            return (r && r.messages || []).map(function (m) { return { role: m.role, text: textOf(m) }; });
          });
        },
        send: function (text) {
          return request("chat.send", { sessionKey: sessionKey, message: text, idempotencyKey: randomId() });
        },
        close: function () { socket.close(); }
      };
    });
  }
  global.OpenClawWebChat = { connect: connect };

  if (typeof global.document === "undefined") return;
  var doc = global.document;
  var log = doc.getElementById("log"), status = doc.getElementById("status");
  var form = doc.getElementById("composer"), input = doc.getElementById("input");
  var bubbles = {};
  function bubble(role, text) {
    var el = doc.createElement("div"); el.className = "msg " + role; el.textContent = text;
    log.appendChild(el); log.scrollTop = log.scrollHeight; return el;
  }
  var hash = new URLSearchParams(global.location.hash.slice(1));
  var token = hash.get("token") || global.localStorage.getItem("openclaw.webchat.token") || "";
  if (hash.get("token")) { global.localStorage.setItem("openclaw.webchat.token", token); global.history.replaceState(null, "", global.location.pathname); }
  var scheme = global.location.protocol === "https:" ? "wss://" : "ws://";
  connect({ url: scheme + global.location.host, token: token }).then(function (chat) {
    status.textContent = "connected";
    chat.onEvent(function (e) {
      if (e.type === "closed") { status.textContent = "disconnected — reload to reconnect"; return; }
      if (e.type === "error") { bubble("error", e.text); return; }
      var el = bubbles[e.runId] || (bubbles[e.runId] = bubble("assistant", ""));
      el.textContent = e.text; log.scrollTop = log.scrollHeight;
    });
    chat.history().then(function (messages) { messages.forEach(function (m) { if (m.text) bubble(m.role === "user" ? "user" : "assistant", m.text); }); });
    function submit() {
      var text = input.value.trim(); if (!text) return;
      input.value = ""; bubble("user", text);
      chat.send(text).catch(function (err) { bubble("error", err.message); });
    }
    form.addEventListener("submit", function (ev) { ev.preventDefault(); submit(); });
    input.addEventListener("keydown", function (ev) { if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); submit(); } });
  }).catch(function (err) {
    status.textContent = "not connected";
    bubble("error", err.message + (/unauthorized/.test(err.message) ? " — open /chat#token=<gateway token> (see openclaw dashboard)" : ""));
  });
})(typeof window !== "undefined" ? window : globalThis);
`;

const CSP =
  "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:";

/**
 * Serve `GET /chat` (page) and `GET /chat/webchat.js` (script). Returns false for other paths so the
 * gateway's router continues. One line in the gateway's HTTP handler: `if (handleWebChatRequest(req, res)) return;`
 */
export function handleWebChatRequest(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const asset =
    path === "/chat" || path === "/chat/"
      ? { body: WEBCHAT_HTML, type: "text/html; charset=utf-8" }
      : path === "/chat/webchat.js"
        ? { body: WEBCHAT_JS, type: "text/javascript; charset=utf-8" }
        : undefined;
  if (!asset) return false;
  res.writeHead(200, {
    "Content-Type": asset.type,
    "Content-Length": Buffer.byteLength(asset.body),
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
  });
  res.end(req.method === "HEAD" ? undefined : asset.body);
  return true;
}
