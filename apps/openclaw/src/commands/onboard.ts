import type { Command } from "commander";
import type { OnboardFlags } from "./onboard-plan.js";

/**
 * `openclaw onboard` (guided or --non-interactive), `openclaw configure [--section …]` and
 * `openclaw setup` (workspace templates only). Implementations load inside the actions.
 */
export function registerOnboard(program: Command): void {
  program
    .command("onboard")
    .description("guided setup: model provider, workspace, gateway, channels, service")
    .option("--non-interactive", "no prompts: every answer from flags (needs --accept-risk)")
    .option("--accept-risk", "acknowledge that the assistant runs tools with your user's rights")
    .option("--mode <mode>", "local | remote")
    .option("--flow <flow>", "quickstart | advanced | manual (accepted; the prompts adapt to answers)")
    .option(
      "--auth-choice <choice>",
      "anthropic-api-key | openai-api-key | gemini-api-key | ollama | lmstudio | custom-api-key | skip",
    )
    .option("--anthropic-api-key <key>", "Anthropic API key")
    .option("--openai-api-key <key>", "OpenAI API key")
    .option("--gemini-api-key <key>", "Google Gemini API key")
    .option("--ollama-base-url <url>", "Ollama URL (default http://127.0.0.1:11434)")
    .option("--custom-base-url <url>", "base URL of an OpenAI-compatible (or Anthropic-compatible) endpoint")
    .option("--custom-model-id <id>", "model id at the custom endpoint")
    .option("--custom-api-key <key>", "API key of the custom endpoint")
    .option("--custom-provider-id <id>", "provider id for the custom endpoint (default custom)")
    .option("--custom-compatibility <api>", "openai | anthropic (default openai)")
    .option("--model <provider/model>", "default model")
    .option("--workspace <dir>", "agent workspace (default <state dir>/workspace)")
    .option("--gateway-port <port>", "gateway port (default 18789)")
    .option("--gateway-bind <bind>", "loopback | lan | tailnet | auto | custom")
    .option("--gateway-auth <mode>", "token | password")
    .option("--gateway-token <token>", "gateway token (default: keep the existing one or generate one)")
    .option("--gateway-password <password>", "gateway password (with --gateway-auth password)")
    .option("--remote-url <url>", "gateway URL for --mode remote")
    .option("--remote-token <token>", "gateway token for --mode remote")
    .option("--telegram-bot-token <token>", "connect Telegram")
    .option("--discord-bot-token <token>", "connect Discord")
    .option("--slack-bot-token <token>", "connect Slack (with --slack-app-token)")
    .option("--slack-app-token <token>", "Slack app-level token (Socket Mode)")
    .option("--dm-policy <policy>", "pairing | allowlist | open | disabled (for the channels above)")
    .option("--install-daemon", "install the gateway as a user service")
    .option("--no-install-daemon", "do not install the service")
    .option("--skip-channels", "do not set up channels")
    .option("--skip-health", "do not probe the gateway at the end")
    .option("--json", "print the result as JSON (with --non-interactive)")
    .action(async (options: OnboardFlags) => {
      const { runOnboard } = await import("./onboard-impl.js");
      await runOnboard(options);
    });

  program
    .command("configure")
    .description("change one part of the setup: models, gateway, channels, web, workspace")
    .option("--section <section>", "models | gateway | channels | web | workspace")
    .action(async (options: { section?: string }) => {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        process.stderr.write(
          "openclaw configure asks questions and needs a terminal; use `openclaw config set <key> <value>` in scripts\n",
        );
        process.exitCode = 2;
        return;
      }
      const { interactiveConfigure } = await import("./onboard-prompts.js");
      await interactiveConfigure(options.section);
    });

  program
    .command("setup")
    .description("create the agent workspace and its template files (AGENTS.md, SOUL.md, …)")
    .option("--workspace <dir>", "workspace directory (default <state dir>/workspace)")
    .option("--json", "print the result as JSON")
    .action(async (options: { workspace?: string; json?: boolean }) => {
      const { runSetup } = await import("./onboard-impl.js");
      await runSetup(options);
    });
}
