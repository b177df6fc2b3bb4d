// The interactive onboarding and `openclaw configure` (@clack/prompts). Each step asks, with the
// current config's values as defaults, so every step can be re-run; nothing is written until the
// end (Ctrl-C at any prompt leaves the files as they were).
import * as p from "@clack/prompts";
import { applyOnboarding, summary } from "./onboard-impl.js";
import {
  type AuthChoice,
  type BINDS,
  type ChannelAnswer,
  DEFAULT_MODELS,
  type DM_POLICIES,
  type OnboardAnswers,
  type OnboardFlags,
} from "./onboard-plan.js";

class Cancelled extends Error {}

/** The answer, or stop the whole flow on Ctrl-C / Esc. */
function must<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) throw new Cancelled();
  return value as Exclude<T, symbol>;
}

type Json = Record<string, unknown>;
const at = (object: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((node, key) => (node as Json | undefined)?.[key], object);

async function currentConfig(): Promise<Json> {
  try {
    const { loadConfig } = await import("@openclaw/core/config");
    return (await loadConfig({ missingEnv: "keep" })).config;
  } catch {
    return {};
  }
}

/** GET a URL with a spinner; true when it answered 2xx. */
async function probe(label: string, url: string, headers: Record<string, string> = {}): Promise<boolean> {
  const spin = p.spinner();
  spin.start(`Checking ${label}…`);
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    spin.stop(`${label}: reachable`);
    return true;
  } catch (error) {
    spin.error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

async function providerStep(config: Json, env: NodeJS.ProcessEnv): Promise<Partial<OnboardAnswers>> {
  const authChoice = must(
    await p.select<AuthChoice>({
      message: "Model provider",
      options: [
        { value: "anthropic-api-key", label: "Anthropic (API key)" },
        { value: "openai-api-key", label: "OpenAI (API key)" },
        { value: "gemini-api-key", label: "Google Gemini (API key)" },
        { value: "ollama", label: "Ollama (local)" },
        { value: "lmstudio", label: "LM Studio (local)" },
        { value: "custom-api-key", label: "Another OpenAI-compatible endpoint" },
        { value: "skip", label: "Skip for now" },
      ],
    }),
  );
  const answers: Partial<OnboardAnswers> = { authChoice };
  const envKey = {
    "anthropic-api-key": "ANTHROPIC_API_KEY",
    "openai-api-key": "OPENAI_API_KEY",
    "gemini-api-key": "GEMINI_API_KEY",
  }[authChoice as string];
  if (envKey) {
    const key = must(
      await p.password({
        message: env[envKey] ? `API key (Enter keeps ${envKey} from the environment)` : "API key",
        validate: (value) =>
          value || env[envKey]
            ? undefined
            : "paste the key (it is stored 0600 in the agent's auth-profiles.json)",
      }),
    );
    answers.apiKey = key || env[envKey];
  }
  if (authChoice === "ollama" || authChoice === "lmstudio" || authChoice === "custom-api-key") {
    const fallback =
      authChoice === "ollama"
        ? "http://127.0.0.1:11434"
        : authChoice === "lmstudio"
          ? "http://127.0.0.1:1234/v1"
          : "";
    answers.baseUrl = must(
      await p.text({
        message: "Base URL",
        placeholder: fallback,
        defaultValue: fallback,
        validate: (v) => (v || fallback ? undefined : "a URL is needed"),
      }),
    );
    const listUrl =
      authChoice === "ollama"
        ? `${answers.baseUrl}/api/tags`
        : `${answers.baseUrl.replace(/\/+$/, "")}/models`;
    await probe(answers.baseUrl, listUrl);
    if (authChoice === "custom-api-key") {
      answers.customModelId = must(
        await p.text({
          message: "Model id",
          placeholder: "gpt-4o-mini",
          validate: (v) => (v ? undefined : "a model id is needed"),
        }),
      );
      const key = must(await p.password({ message: "API key (empty for none)" }));
      if (key) answers.apiKey = key;
    }
  }
  const provider = {
    "anthropic-api-key": "anthropic",
    "openai-api-key": "openai",
    "gemini-api-key": "google",
    ollama: "ollama",
    lmstudio: "lmstudio",
  }[authChoice as string];
  const current = at(config, "agents.defaults.model.primary") ?? at(config, "agents.defaults.model");
  const suggested = typeof current === "string" ? current : provider ? DEFAULT_MODELS[provider] : undefined;
  if (authChoice !== "skip" && authChoice !== "custom-api-key" && suggested)
    answers.model = must(
      await p.text({ message: "Default model", defaultValue: suggested, placeholder: suggested }),
    );
  return answers;
}

async function gatewayStep(config: Json): Promise<Partial<OnboardAnswers>> {
  const port = must(
    await p.text({
      message: "Gateway port",
      defaultValue: String(at(config, "gateway.port") ?? 18789),
      placeholder: String(at(config, "gateway.port") ?? 18789),
      validate: (value) => (!value || /^\d{1,5}$/.test(value) ? undefined : "a port number"),
    }),
  );
  const bind = must(
    await p.select<(typeof BINDS)[number]>({
      message: "Listen on",
      initialValue: (at(config, "gateway.bind") as (typeof BINDS)[number]) ?? "loopback",
      options: [
        { value: "loopback", label: "This machine only (loopback)", hint: "recommended" },
        { value: "lan", label: "Local network (lan)", hint: "devices must be paired" },
        { value: "tailnet", label: "Tailscale network (tailnet)" },
      ],
    }),
  );
  const auth = must(
    await p.select<"token" | "password">({
      message: "Gateway auth",
      options: [
        { value: "token", label: "Token", hint: "generated for you (kept if one exists)" },
        { value: "password", label: "Password" },
      ],
    }),
  );
  const password =
    auth === "password"
      ? must(
          await p.password({
            message: "Gateway password",
            validate: (v) => (v && v.length >= 8 ? undefined : "at least 8 characters"),
          }),
        )
      : undefined;
  return { port: Number(port || 18789), bind, auth, ...(password ? { password } : {}) };
}

const CHANNEL_PROBES: Record<ChannelAnswer["channel"], (token: string) => [string, Record<string, string>]> =
  {
    telegram: (token) => [`https://api.telegram.org/bot${token}/getMe`, {}],
    discord: (token) => ["https://discord.com/api/v10/users/@me", { authorization: `Bot ${token}` }],
    slack: (token) => ["https://slack.com/api/auth.test", { authorization: `Bearer ${token}` }],
  };

async function channelsStep(): Promise<ChannelAnswer[]> {
  const picked = must(
    await p.multiselect<ChannelAnswer["channel"]>({
      message: "Channels to connect (space to pick, Enter to continue; none is fine)",
      options: [
        { value: "telegram", label: "Telegram" },
        { value: "discord", label: "Discord" },
        { value: "slack", label: "Slack" },
      ],
      required: false,
    }),
  );
  const answers: ChannelAnswer[] = [];
  for (const channel of picked) {
    const token = must(
      await p.password({
        message: `${channel} bot token`,
        validate: (v) => (v ? undefined : "the bot token is needed"),
      }),
    );
    const appToken =
      channel === "slack" ? must(await p.password({ message: "Slack app token (xapp-…)" })) : undefined;
    const [url, headers] = CHANNEL_PROBES[channel](token);
    await probe(`${channel} token`, url, headers);
    const dmPolicy = must(
      await p.select<(typeof DM_POLICIES)[number]>({
        message: `${channel}: who may message the assistant directly?`,
        options: [
          { value: "pairing", label: "New senders get a pairing code you approve", hint: "recommended" },
          { value: "allowlist", label: "Only senders in allowFrom" },
          { value: "open", label: "Anyone" },
          { value: "disabled", label: "Nobody (groups only)" },
        ],
      }),
    );
    answers.push({ channel, token, ...(appToken ? { appToken } : {}), dmPolicy });
  }
  return answers;
}

/** The whole guided setup. */
export async function interactiveOnboard(flags: OnboardFlags, defaultWorkspace: string): Promise<void> {
  p.intro("OpenClaw setup");
  try {
    const config = await currentConfig();
    if (!flags.acceptRisk) {
      p.note(
        "The assistant can run shell commands and edit files with your user's rights, and anyone who can\nmessage it on a channel can ask it to. Keep DM pairing on and the gateway on loopback unless you\nknow why not.",
        "Before you start",
      );
      if (!must(await p.confirm({ message: "I understand; continue", initialValue: false })))
        throw new Cancelled();
    }
    const mode = must(
      await p.select<"local" | "remote">({
        message: "Where does the gateway run?",
        options: [
          { value: "local", label: "On this machine" },
          { value: "remote", label: "On another machine (this CLI connects to it)" },
        ],
      }),
    );
    if (mode === "remote") {
      const remoteUrl = must(
        await p.text({
          message: "Gateway URL",
          placeholder: "ws://host:18789",
          validate: (v) => (/^wss?:\/\//.test(v ?? "") ? undefined : "ws:// or wss:// URL"),
        }),
      );
      const remoteToken = must(await p.password({ message: "Gateway token" }));
      return finish(
        { ...base(defaultWorkspace), mode, remoteUrl, ...(remoteToken ? { remoteToken } : {}) },
        flags,
      );
    }
    const provider = await providerStep(config, process.env);
    const workspace = must(
      await p.text({
        message: "Workspace (the agent's files: AGENTS.md, SOUL.md, memory)",
        defaultValue: String(at(config, "agents.defaults.workspace") ?? defaultWorkspace),
        placeholder: String(at(config, "agents.defaults.workspace") ?? defaultWorkspace),
      }),
    );
    const gateway = await gatewayStep(config);
    const channels = flags.skipChannels ? [] : await channelsStep();
    const installDaemon =
      flags.installDaemon ??
      must(
        await p.confirm({
          message: "Install the gateway as a user service (starts at login)?",
          initialValue: false,
        }),
      );
    await finish(
      { ...base(defaultWorkspace), ...provider, ...gateway, workspace, channels, installDaemon, mode },
      flags,
    );
  } catch (error) {
    if (error instanceof Cancelled) {
      p.cancel("Setup cancelled: nothing was written.");
      process.exitCode = 130;
      return;
    }
    throw error;
  }
}

function base(workspace: string): OnboardAnswers {
  return {
    mode: "local",
    authChoice: "skip",
    workspace,
    port: 18789,
    bind: "loopback",
    auth: "token",
    channels: [],
    installDaemon: false,
  };
}

async function finish(answers: OnboardAnswers, flags: OnboardFlags): Promise<void> {
  const spin = p.spinner();
  spin.start("Writing config, credentials and workspace…");
  const applied = await applyOnboarding(answers, { ...(flags.skipHealth ? { skipHealth: true } : {}) });
  spin.stop("Saved.");
  p.note(summary(applied), "Done");
  p.outro(
    applied.dashboardUrl
      ? `Next: \`openclaw gateway\`, then \`openclaw dashboard\` or \`openclaw tui\``
      : "Done.",
  );
}

/** `openclaw configure [--section …]`: re-run one part of the setup on the existing config. */
export async function interactiveConfigure(section: string | undefined): Promise<void> {
  const sections = ["models", "gateway", "channels", "web", "workspace"] as const;
  if (section && !(sections as readonly string[]).includes(section)) {
    process.stderr.write(`openclaw configure: --section must be one of ${sections.join(", ")}\n`);
    process.exitCode = 2;
    return;
  }
  p.intro("OpenClaw configure");
  try {
    const config = await currentConfig();
    const chosen =
      (section as (typeof sections)[number] | undefined) ??
      must(
        await p.select({
          message: "What to configure?",
          options: sections.map((value) => ({ value, label: value })),
        }),
      );
    const patch = await sectionPatch(chosen, config);
    const spin = p.spinner();
    spin.start("Saving…");
    const { patchConfig } = await import("@openclaw/core/config");
    const { localPaths } = await import("./gateway-local.js");
    await patchConfig(patch, { path: localPaths().configPath });
    spin.stop(`Saved ${chosen} (only these keys were edited).`);
    p.outro("A running gateway applies the change (restart-only keys restart it).");
  } catch (error) {
    if (error instanceof Cancelled) {
      p.cancel("Cancelled: nothing was written.");
      process.exitCode = 130;
      return;
    }
    throw error;
  }
}

async function sectionPatch(section: string, config: Json): Promise<Json> {
  const { configPatch } = await import("./onboard-plan.js");
  const workspace = String(at(config, "agents.defaults.workspace") ?? "");
  if (section === "models") {
    const answers = { ...base(workspace), ...(await providerStep(config, process.env)) };
    const { gateway: _gateway, ...rest } = configPatch(answers);
    return rest;
  }
  if (section === "gateway") {
    const answers = { ...base(workspace), ...(await gatewayStep(config)) };
    if (answers.auth === "token") {
      const token = at(config, "gateway.auth.token");
      if (typeof token === "string") answers.token = token;
    }
    return { gateway: configPatch(answers).gateway };
  }
  if (section === "channels")
    return { channels: configPatch({ ...base(workspace), channels: await channelsStep() }).channels ?? {} };
  if (section === "web") {
    const apiKey = must(
      await p.password({ message: "Brave Search API key (web_search tool); empty turns search off" }),
    );
    return {
      tools: { web: { search: apiKey ? { enabled: true, provider: "brave", apiKey } : { enabled: false } } },
    };
  }
  const dir = must(await p.text({ message: "Workspace", defaultValue: workspace, placeholder: workspace }));
  const { ensureWorkspace } = await import("@openclaw/core");
  const written = await ensureWorkspace(dir);
  if (written.length) p.log.info(`Wrote ${written.join(", ")} in ${dir}`);
  return { agents: { defaults: { workspace: dir } } };
}
