import type { Command } from "commander";

/** `openclaw tui`: terminal chat client over the gateway (implementation loaded in the action). */
export function registerTui(program: Command): void {
  program
    .command("tui")
    .description("chat with the assistant in the terminal (streaming, Esc stops a reply, /sessions)")
    .option("--session <key>", "session key (default agent:main:main)")
    .option("--message <text>", "send this message once connected")
    .option("--url <url>", "gateway URL (an explicit URL never gets the stored token)")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .action(
      async (options: {
        session?: string;
        message?: string;
        url?: string;
        token?: string;
        password?: string;
      }) => {
        if (!process.stdin.isTTY || !process.stdout.isTTY) {
          process.stderr.write(
            "openclaw tui needs a terminal; use `openclaw agent --message …` in scripts\n",
          );
          process.exitCode = 2;
          return;
        }
        const { resolveTarget } = await import("./gateway-local.js");
        const { runTui } = await import("./tui-impl.js");
        const target = resolveTarget({
          ...(options.url ? { url: options.url } : {}),
          ...(options.token ? { token: options.token } : {}),
          ...(options.password ? { password: options.password } : {}),
        });
        await runTui({
          target,
          ...(options.session ? { session: options.session } : {}),
          ...(options.message ? { message: options.message } : {}),
        });
        process.exit(process.exitCode ?? 0);
      },
    );
}
