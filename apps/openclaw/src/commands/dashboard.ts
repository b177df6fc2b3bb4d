import type { Command } from "commander";

/** `openclaw dashboard`: print (and open) the Control UI URL. The token never goes in the URL. */
export function registerDashboard(program: Command): void {
  program
    .command("dashboard")
    .description("open the Control UI in a browser")
    .option("--no-open", "only print the URL")
    .option("--url <url>", "gateway URL")
    .action(async (options: { open?: boolean; url?: string }) => {
      const { resolveTarget, print } = await import("./gateway-local.js");
      const target = resolveTarget(options.url ? { url: options.url } : {});
      print(`Dashboard: ${target.httpUrl}`);
      print(
        "Sign in with the gateway token: `openclaw config get gateway.auth.token` (it is never put in the URL).",
      );
      if (options.open === false || !process.stdout.isTTY) return;
      const { spawn } = await import("node:child_process");
      const opener =
        process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
      const child = spawn(opener, [target.httpUrl], { stdio: "ignore", detached: true });
      child.on("error", () => undefined);
      child.unref();
    });
}
