import type { Command } from "commander";

/** `openclaw plugins list|info|install|uninstall|enable|disable` (channel and provider plugins). */
export function registerPlugins(program: Command): void {
  const plugins = program
    .command("plugins")
    .description("channel and provider plugins (install, enable, inspect)");
  plugins
    .command("list")
    .description("every plugin found (bundled, installed, plugins.load.paths) and whether it loads")
    .option("--json", "print JSON")
    .option("--enabled", "only the plugins that are enabled")
    .action(async (options: { json?: boolean; enabled?: boolean }) => {
      const { pluginsList } = await import("./plugins-impl.js");
      await pluginsList(options);
    });
  plugins
    .command("info <id>")
    .description("one plugin's manifest, location and load status")
    .option("--json", "print JSON")
    .action(async (id: string, options: { json?: boolean }) => {
      const { pluginsInfo } = await import("./plugins-impl.js");
      await pluginsInfo(id, options);
    });
  plugins
    .command("install <spec>")
    .description(
      "install a plugin from a folder, a .tgz archive or an npm spec into <stateDir>/extensions/<id>",
    )
    .option("--force", "replace an installed plugin with the same id")
    .action(async (spec: string, options: { force?: boolean }) => {
      const { pluginsInstall } = await import("./plugins-impl.js");
      await pluginsInstall(spec, options);
    });
  plugins
    .command("uninstall <id>")
    .description("remove an installed plugin and its plugins.entries / plugins.installs keys")
    .action(async (id: string) => {
      const { pluginsUninstall } = await import("./plugins-impl.js");
      await pluginsUninstall(id);
    });
  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const)
    plugins
      .command(`${name} <id>`)
      .description(`set plugins.entries.<id>.enabled = ${enabled}`)
      .action(async (id: string) => {
        const { pluginsSetEnabled } = await import("./plugins-impl.js");
        await pluginsSetEnabled(id, enabled);
      });
}
