import type { Command } from "commander";

/** `openclaw models …`: list, status (--probe), set, aliases, fallbacks, auth paste-token|setup-token|login. */
export function registerModels(program: Command): void {
  const impl = () => import("./models-impl.js");
  const models = program
    .command("models")
    .description("choose models, aliases and fallbacks; store provider keys")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => (await impl()).modelsList(options));
  models
    .command("list")
    .description("models you can use: allowlist, configured providers, current default")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }, command: Command) =>
      (await impl()).modelsList({ ...command.optsWithGlobals(), ...options }),
    );
  models
    .command("status")
    .description("default model, fallbacks, aliases and which providers have credentials")
    .option("--probe", "send a tiny request to each configured model and report the outcome")
    .option("--json", "print JSON")
    // `--json` is also an option of `models` itself: commander gives it to the parent, so read both
    .action(async (options: { probe?: boolean; json?: boolean }, command: Command) =>
      (await impl()).modelsStatus({ ...command.optsWithGlobals(), ...options }),
    );
  models
    .command("set <ref>")
    .description("set the default model (agents.defaults.model.primary)")
    .action(async (ref: string) => (await impl()).modelsSet(ref));
  const aliases = models.command("aliases").description("model aliases (agents.defaults.models.<ref>.alias)");
  aliases
    .command("list", { isDefault: true })
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => (await impl()).aliasesList(options));
  aliases
    .command("add <alias> <ref>")
    .description("make <alias> point at <ref>")
    .action(async (alias: string, ref: string) => (await impl()).aliasesAdd(alias, ref));
  aliases.command("remove <alias>").action(async (alias: string) => (await impl()).aliasesRemove(alias));
  const fallbacks = models
    .command("fallbacks")
    .description("fallback models (agents.defaults.model.fallbacks)");
  fallbacks
    .command("list", { isDefault: true })
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => (await impl()).fallbacksList(options));
  fallbacks.command("add <ref>").action(async (ref: string) => (await impl()).fallbacksAdd(ref));
  fallbacks.command("remove <ref>").action(async (ref: string) => (await impl()).fallbacksRemove(ref));
  fallbacks.command("clear").action(async () => (await impl()).fallbacksClear());
  const auth = models.command("auth").description("provider credentials (auth-profiles.json)");
  auth
    .command("paste-token")
    .description("store an API key or token for a provider (read from --token or stdin; file mode 0600)")
    .requiredOption("--provider <id>", "provider id (anthropic, openai, google, openrouter, …)")
    .option("--token <token>", "the key (default: read one line from stdin)")
    .option("--profile-id <id>", "profile id (default <provider>:default)")
    .option("--agent <id>", "agent whose auth-profiles.json to write (default main)")
    .action(async (options: { provider: string; token?: string; profileId?: string; agent?: string }) =>
      (await impl()).authPasteToken(options),
    );
  const authImpl = () => import("./models-auth-impl.js");
  auth
    .command("setup-token")
    .description("run `claude setup-token` (Claude Pro/Max) and store the token it prints")
    .requiredOption("--provider <id>", "anthropic")
    .option("--profile-id <id>", "profile id (default anthropic:default)")
    .option("--agent <id>", "agent whose auth-profiles.json to write (default main)")
    .action(async (options: { provider: string; profileId?: string; agent?: string }) =>
      (await authImpl()).authSetupToken(options),
    );
  auth
    .command("login")
    .description(
      "store a provider's API key (--token or stdin); --set-default makes its default model primary",
    )
    .requiredOption("--provider <id>", "provider id (anthropic, openai, google, openrouter, …)")
    .option("--token <token>", "the key (default: read one line from stdin)")
    .option("--set-default", "also set agents.defaults.model.primary to the provider's default model")
    .option("--profile-id <id>", "profile id (default <provider>:default)")
    .option("--agent <id>", "agent whose auth-profiles.json to write (default main)")
    .action(
      async (options: {
        provider: string;
        token?: string;
        setDefault?: boolean;
        profileId?: string;
        agent?: string;
      }) => (await authImpl()).authLogin(options),
    );
}
