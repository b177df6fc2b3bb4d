import { whichSync } from "@openclaw/exec-approvals";
import { authPasteToken, modelsSet, readStdinLine as readLine } from "./models-impl.js";
import { DEFAULT_MODELS } from "./onboard-plan.js";
import { runOnTerminal } from "./terminal-run.js";

// `openclaw models auth setup-token` and `openclaw models auth login`: the manual's two other ways
// of giving a provider its credential. Both end in the same auth profile `paste-token` writes.

function fail(message: string, code = 1): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

/**
 * Sign-ins that need the vendor's OAuth flow in a browser (subscription accounts). This version
 * stores keys and setup-tokens only; each names the API-key provider that works instead.
 */
const OAUTH_ONLY: Record<string, string> = {
  "google-gemini-cli": "google",
  "google-antigravity": "google",
  "openai-codex": "openai",
  "github-copilot": "openai",
  "qwen-portal": "openrouter",
  "minimax-portal": "minimax",
  chutes: "openrouter",
};

export interface SetupTokenOptions {
  provider: string;
  profileId?: string;
  agent?: string;
}

/**
 * `models auth setup-token --provider anthropic`: runs the Claude Code CLI's `claude setup-token`
 * (it opens the browser sign-in and prints a long-lived token), then reads the token it printed
 * (pasted, or piped on stdin) and stores it as the `anthropic` token profile.
 */
export async function authSetupToken(options: SetupTokenOptions): Promise<void> {
  const provider = options.provider.trim().toLowerCase();
  if (provider !== "anthropic")
    return fail(
      `openclaw models auth setup-token: setup-tokens are Anthropic's (Claude Pro/Max); for ${provider} use \`openclaw models auth paste-token --provider ${provider}\``,
      2,
    );
  const claude = whichSync("claude");
  if (!claude)
    return fail(
      "openclaw models auth setup-token: the Claude Code CLI (`claude`) is not on PATH. Install it " +
        "(`npm install -g @anthropic-ai/claude-code`), or run `claude setup-token` on any machine and " +
        "paste the token here with `openclaw models auth paste-token --provider anthropic`.",
    );
  process.stderr.write("Running `claude setup-token`: sign in in the browser it opens.\n");
  const exit = await runOnTerminal(claude, ["setup-token"]);
  if (exit !== 0)
    return fail(
      `openclaw models auth setup-token: \`claude setup-token\` ${exit instanceof Error ? `could not start: ${exit.message}` : `exited with code ${exit}`}; nothing was stored.`,
    );
  const token = (await readLine("Paste the token it printed (sk-ant-oat…) and press Enter: ")).trim();
  if (!token.startsWith("sk-ant-"))
    return fail(
      "openclaw models auth setup-token: that is not an Anthropic token (they start with sk-ant-oat); nothing was stored.",
      2,
    );
  await authPasteToken({ provider, token, ...pick(options) });
}

export interface AuthLoginOptions {
  provider: string;
  token?: string;
  profileId?: string;
  agent?: string;
  setDefault?: boolean;
}

/**
 * `models auth login --provider <id> [--set-default]`: stores the provider's key (from --token or
 * one line on stdin) and, with --set-default, makes that provider's default model the primary.
 * OAuth-only sign-ins are refused with the API-key route that works.
 */
export async function authLogin(options: AuthLoginOptions): Promise<void> {
  const provider = options.provider.trim().toLowerCase();
  const instead = OAUTH_ONLY[provider];
  if (instead)
    return fail(
      `openclaw models auth login: ${provider} signs in with the vendor's OAuth in a browser, which this version does not do. ` +
        `Use an API key instead: \`openclaw models auth paste-token --provider ${instead}\`.`,
      2,
    );
  const token = options.token ?? (await readLine("Paste the API key and press Enter: "));
  await authPasteToken({ provider, token, ...pick(options) });
  if (process.exitCode || !options.setDefault) return;
  const model = DEFAULT_MODELS[provider];
  if (!model)
    return fail(
      `openclaw models auth login: no default model is known for ${provider}; choose one with \`openclaw models set ${provider}/<model>\``,
      2,
    );
  await modelsSet(model);
}

function pick(options: { profileId?: string; agent?: string }): { profileId?: string; agent?: string } {
  return {
    ...(options.profileId ? { profileId: options.profileId } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
  };
}
