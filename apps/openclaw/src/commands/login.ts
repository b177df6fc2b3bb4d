import type { Command } from "commander";

export interface LoginOptions {
  provider?: string;
  channel?: string;
  account?: string;
  token?: string;
  appToken?: string;
  apiRoot?: string;
  profileId?: string;
  agent?: string;
  verify?: boolean;
}

/**
 * `openclaw login`: the manual's one word for storing a credential. `--provider <id>` stores a
 * model provider's key (as `models auth paste-token`), `--channel <id>` a channel's (as
 * `channels login`, QR linking included). Both implementations load lazily.
 */
export function registerLogin(program: Command): void {
  program
    .command("login")
    .description("store a model provider's key (--provider) or log a channel in (--channel)")
    .option("--provider <id>", "model provider (anthropic, openai, google, openrouter, …)")
    .option("--channel <id>", "channel (telegram, discord, slack, whatsapp, signal, …)")
    .option("--account <id>", "channel account id (default: the channel's default account)")
    .option("--token <token>", "the API key or bot token (providers: default reads one line from stdin)")
    .option("--app-token <token>", "Slack app-level token xapp-… (Socket Mode)")
    .option("--api-root <url>", "Telegram: self-hosted Bot API server")
    .option("--profile-id <id>", "provider profile id (default <provider>:default)")
    .option("--agent <id>", "agent whose auth-profiles.json to write (default main)")
    .option("--no-verify", "channels: skip the vendor check")
    .action(async (options: LoginOptions) => {
      const { runLogin } = await import("./login-impl.js");
      await runLogin(options);
    });
}
