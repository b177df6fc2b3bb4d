import type { Command } from "commander";
import { CLIENT_OPTIONS, type ClientFlags } from "./gateway-local.js";

export interface CronAddFlags extends ClientFlags {
  name?: string;
  description?: string;
  at?: string;
  every?: string;
  cron?: string;
  tz?: string;
  message?: string;
  systemEvent?: string;
  command?: string;
  commandTimeout?: string;
  session?: string;
  wake?: string;
  deliver?: boolean;
  channel?: string;
  to?: string;
  account?: string;
  model?: string;
  thinking?: string;
  timeoutSeconds?: string;
  agent?: string;
  disabled?: boolean;
  deleteAfterRun?: boolean;
  enable?: boolean;
  disable?: boolean;
}

function withClient(command: Command): Command {
  for (const [flags, description] of CLIENT_OPTIONS) command.option(flags, description);
  return command;
}

function jobOptions(command: Command): Command {
  return command
    .option("--name <name>", "job name")
    .option("--description <text>", "job description")
    .option("--at <when>", "one-shot: ISO time (no zone = UTC) or a delay such as +20m")
    .option("--every <duration>", "repeat: 30s, 10m, 2h, 1d")
    .option("--cron <expr>", "cron expression (5 fields, or 6 with seconds)")
    .option("--tz <zone>", "IANA timezone for --cron (default: the gateway host's)")
    .option("--message <text>", "agent message: an isolated turn in session cron:<jobId>")
    .option("--system-event <text>", "system event for the main session")
    .option("--command <shell>", "shell command (sh -lc; needs operator.admin)")
    .option("--command-timeout <seconds>", "kill the command after this long (default 600)")
    .option("--session <target>", "isolated | main (default: isolated for --message, main otherwise)")
    .option("--wake <mode>", "now | next-heartbeat (main-session events; default now)")
    .option("--deliver", "deliver the isolated run's reply to a chat")
    .option("--channel <id>", "delivery channel (telegram, discord, slack, … or last)")
    .option("--to <target>", "delivery chat id on that channel")
    .option("--account <id>", "delivery channel account id")
    .option("--model <ref>", "model for the isolated turn (provider/model or alias)")
    .option("--thinking <level>", "thinking level for the isolated turn")
    .option("--timeout-seconds <n>", "limit for the isolated turn")
    .option("--agent <id>", "agent id (default: the default agent)");
}

/**
 * `openclaw cron status|list|add|edit|rm|enable|disable|run|runs` (and the manual's `tourne`)
 * against the running gateway. Implementation loads lazily.
 */
export function registerCron(program: Command): void {
  const cron = program.command("cron").description("scheduled jobs run by the gateway");
  withClient(cron.command("status").description("scheduler state: enabled, jobs, next wake-up")).action(
    async (options: ClientFlags) => (await import("./cron-impl.js")).cronStatus(options),
  );
  withClient(cron.command("list").description("list jobs").option("--all", "include disabled jobs")).action(
    async (options: ClientFlags & { all?: boolean }) => (await import("./cron-impl.js")).cronList(options),
  );
  withClient(
    jobOptions(cron.command("add").description("add a job"))
      .option("--disabled", "create the job disabled")
      .option("--delete-after-run", "delete a one-shot job once it ran"),
  ).action(async (options: CronAddFlags) => (await import("./cron-impl.js")).cronAdd(options));
  withClient(
    jobOptions(cron.command("edit <jobId>").description("change a job"))
      .option("--enable", "enable the job")
      .option("--disable", "disable the job"),
  ).action(async (id: string, options: CronAddFlags) =>
    (await import("./cron-impl.js")).cronEdit(id, options),
  );
  withClient(cron.command("rm <jobId>").alias("remove").description("delete a job")).action(
    async (id: string, options: ClientFlags) => (await import("./cron-impl.js")).cronRemove(id, options),
  );
  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const)
    withClient(cron.command(`${name} <jobId>`).description(`${name} a job`)).action(
      async (id: string, options: ClientFlags) =>
        (await import("./cron-impl.js")).cronEnable(id, enabled, options),
    );
  withClient(
    cron
      .command("run <jobId>")
      .description("run a job now if due (--force: run it now whatever its schedule)")
      .option("--force", "run even if not due"),
  ).action(async (id: string, options: ClientFlags & { force?: boolean }) =>
    (await import("./cron-impl.js")).cronRun(id, options),
  );
  withClient(
    cron
      .command("runs")
      .alias("tourne")
      .description("run history of a job (newest first)")
      .requiredOption("--id <jobId>", "job id")
      .option("--limit <n>", "at most N runs (default 50)"),
  ).action(async (options: ClientFlags & { id: string; limit?: string }) =>
    (await import("./cron-impl.js")).cronRuns(options),
  );
}
