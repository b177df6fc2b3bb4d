import type { Command } from "commander";

/** `openclaw config get|set|unset|validate|file|init`. Implementation loads lazily. */
export function registerConfig(program: Command): void {
  const config = program
    .command("config")
    .description("read and edit the config file (~/.openclaw/openclaw.json)");
  config
    .command("get <path>")
    .description("print the effective value at a key path (e.g. gateway.port)")
    .option("--json", "print JSON")
    .option("--show-secrets", "do not redact secrets inside objects")
    .action(async (path: string, options: { json?: boolean; showSecrets?: boolean }) => {
      const { configGet } = await import("./config-impl.js");
      await configGet(path, options);
    });
  config
    .command("set <path> <value>")
    .description("set one key; the rest of the file (comments, order) is kept")
    .option("--string", "store the value as a string (no JSON5 parsing)")
    .option("--allow-unknown", "write a key the schema does not know (it will be ignored at load)")
    .option("--json", "print the result as JSON")
    .action(
      async (
        path: string,
        value: string,
        options: { string?: boolean; json?: boolean; allowUnknown?: boolean },
      ) => {
        const { configSet } = await import("./config-impl.js");
        await configSet(path, value, options);
      },
    );
  config
    .command("unset <path>")
    .description("remove one key")
    .action(async (path: string) => {
      const { configUnset } = await import("./config-impl.js");
      await configUnset(path);
    });
  config
    .command("validate")
    .description("check the config: errors, ignored keys, alternate spellings")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const { configValidate } = await import("./config-impl.js");
      await configValidate(options);
    });
  config
    .command("file")
    .description("print the path of the config file in use")
    .action(async () => {
      const { configFile } = await import("./config-impl.js");
      await configFile();
    });
  config
    .command("init")
    .description("write a starter config (local gateway on loopback with a generated token)")
    .option("--force", "replace an existing config (a backup is kept)")
    .action(async (options: { force?: boolean }) => {
      const { configInit } = await import("./config-impl.js");
      await configInit(options);
    });
}
