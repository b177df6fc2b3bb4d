import type { Command } from "commander";

/**
 * `openclaw dashboard`: open the Control UI signed in. The gateway token travels in the URL
 * fragment (`#token=…`), which the browser never sends to any server; the UI keeps it for that
 * origin and clears it from the address bar. An explicit --url never gets the stored token.
 */
export function registerDashboard(program: Command): void {
  program
    .command("dashboard")
    .description("open the Control UI in a browser, signed in")
    .option("--no-open", "only print the URL")
    .option("--url <url>", "gateway URL")
    .action(async (options: { open?: boolean; url?: string }) => {
      const { resolveTarget, print } = await import("./gateway-local.js");
      const target = resolveTarget(options.url ? { url: options.url } : {});
      const signedIn = target.token
        ? `${target.httpUrl}#token=${encodeURIComponent(target.token)}`
        : target.httpUrl;
      const open = options.open !== false && Boolean(process.stdout.isTTY);
      // the printed URL never carries the token (terminal scrollback, logs); the browser gets it
      // in the fragment, which it never sends to a server
      print(`Dashboard: ${target.httpUrl}`);
      if (!target.token || !open)
        print(
          target.password
            ? "Sign in with the gateway password in the page."
            : "Sign in with the gateway token in the page: `openclaw config get gateway.auth.token` prints it.",
        );
      if (!open) return;
      const { spawn } = await import("node:child_process");
      const opener =
        process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
      const child = spawn(opener, [signedIn], { stdio: "ignore", detached: true });
      child.on("error", () => print(`Could not open a browser: open ${target.httpUrl} yourself.`));
      child.unref();
    });
}
