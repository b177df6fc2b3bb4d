import type { Command } from "commander";

export interface UpdateOptions {
  channel?: string;
  tag?: string;
  yes?: boolean;
  restart?: boolean;
  json?: boolean;
}

/**
 * `openclaw update [status]`: update this install — a git checkout (pull or a release tag, then
 * the bootstrap build) or the npm package (`npm install -g @openclaw/cli@<tag>`) — and restart the
 * gateway. The implementation loads only when it runs.
 */
export function registerUpdate(program: Command): void {
  const impl = () => import("./update-impl.js");
  const update = program
    .command("update")
    .description("update OpenClaw (git checkout or npm package) and restart the gateway")
    .option("--channel <channel>", "stable | beta | dev (remembered in update.channel)")
    .option("--tag <tag>", "a dist-tag or version (npm) or a git tag (checkout) to install")
    .option("--yes", "do not ask for confirmation (needed without a terminal)")
    .option("--no-restart", "do not restart the gateway afterwards")
    .action(async (options: UpdateOptions) => (await impl()).runUpdate(options));
  update
    .command("status")
    .description("install kind, channel, current and available versions")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => (await impl()).updateStatus(options));
}
