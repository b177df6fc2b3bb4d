// `config.schema`'s uiHints: what a form generated from the JSON Schema cannot know by itself —
// labels, help, order and which fields hold secrets (rendered as password fields). Keyed by dotted
// path, as OpenClaw's Control UI reads them. `*` matches any map key (a channel id, a provider id).

export interface UiHint {
  label?: string;
  help?: string;
  sensitive?: boolean;
  placeholder?: string;
  order?: number;
}

const SECRET_KEY = /(token|password|secret|apikey|api_key|privatekey|credential)s?$/i;

const HINTS: Record<string, UiHint> = {
  gateway: {
    label: "Gateway",
    help: "Port, bind address, auth and the Control UI. Changing these restarts the gateway.",
    order: 1,
  },
  "gateway.mode": {
    label: "Mode",
    help: "local: this machine runs the gateway; remote: the CLI talks to gateway.remote.url.",
  },
  "gateway.port": { label: "Port", order: 1 },
  "gateway.bind": {
    label: "Listen on",
    help: "loopback keeps the gateway on this machine; lan/tailnet need auth and device pairing.",
    order: 2,
  },
  "gateway.auth": { label: "Authentication", order: 3 },
  "gateway.auth.mode": { label: "Auth mode" },
  "gateway.auth.token": { label: "Token", sensitive: true },
  "gateway.auth.password": { label: "Password", sensitive: true },
  "gateway.controlUi": { label: "Control UI" },
  "gateway.controlUi.allowedOrigins": {
    label: "Allowed browser origins",
    help: "Exact origins (scheme://host:port) of pages allowed to connect, besides loopback.",
  },
  agents: { label: "Agents", order: 2 },
  "agents.defaults.workspace": { label: "Workspace", help: "The agent's files: AGENTS.md, SOUL.md, memory." },
  "agents.defaults.model": {
    label: "Default model",
    help: "provider/model; fallbacks are tried in order when it fails.",
  },
  models: { label: "Models and providers", order: 3 },
  "models.providers.*.apiKey": { label: "API key", sensitive: true },
  "models.providers.*.baseUrl": { label: "Base URL" },
  channels: { label: "Channels", order: 4 },
  "channels.*.dmPolicy": {
    label: "DM policy",
    help: "pairing: new senders get a code you approve (Channels page).",
  },
  "channels.*.botToken": { label: "Bot token", sensitive: true },
  "channels.*.token": { label: "Token", sensitive: true },
  "channels.*.appToken": { label: "App token", sensitive: true },
  session: { label: "Sessions", order: 5 },
  messages: { label: "Messages", order: 6 },
  tools: { label: "Tools", order: 7 },
  logging: { label: "Logging", order: 8 },
  "logging.level": { label: "Log level" },
  cron: { label: "Cron", order: 9 },
};

/** Hints for a config JSON Schema: the table above, plus `sensitive` on every secret-looking key. */
export function configUiHints(schema: unknown): Record<string, UiHint> {
  const hints: Record<string, UiHint> = { ...HINTS };
  const walk = (node: unknown, path: string, depth: number): void => {
    if (!node || typeof node !== "object" || depth > 8) return;
    const object = node as {
      properties?: Record<string, unknown>;
      additionalProperties?: unknown;
      anyOf?: unknown[];
    };
    for (const branch of object.anyOf ?? []) walk(branch, path, depth + 1);
    for (const [key, child] of Object.entries(object.properties ?? {})) {
      const childPath = path ? `${path}.${key}` : key;
      if (SECRET_KEY.test(key)) hints[childPath] = { ...hints[childPath], sensitive: true };
      walk(child, childPath, depth + 1);
    }
    if (object.additionalProperties && typeof object.additionalProperties === "object")
      walk(object.additionalProperties, path ? `${path}.*` : "*", depth + 1);
  };
  walk(schema, "", 0);
  return hints;
}
