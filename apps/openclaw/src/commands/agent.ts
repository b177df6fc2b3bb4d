import type { Command } from "commander";

export interface AgentCommandOptions {
  message?: string;
  agent?: string;
  sessionId?: string;
  sessionKey?: string;
  model?: string;
  thinking?: string;
  json?: boolean;
  local?: boolean;
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
  deliver?: boolean;
  channel?: string;
  replyTo?: string;
  replyChannel?: string;
  replyAccount?: string;
  to?: string;
  attach?: string[];
}

/** `openclaw agent --message <text>`: one turn, locally (`--local`) or through the gateway. */
export function registerAgent(program: Command): void {
  program
    .command("agent")
    .description("send one message to the agent and print its reply")
    .requiredOption("-m, --message <text>", "the message")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--session-id <id>", "continue this session (a session id or a session key)")
    .option("--session-key <key>", "session key (default: the agent's main session)")
    .option("--model <ref>", "model for this turn (provider/model or alias)")
    .option("--thinking <level>", "thinking level: off|minimal|low|medium|high|xhigh")
    .option("--json", "print the result as JSON")
    .option("--local", "run the agent in this process instead of through the gateway")
    .option("--url <url>", "gateway WebSocket URL")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .option("--timeout <seconds>", "give up waiting after this many seconds (default 600)")
    .option("--deliver", "also send the reply to a chat (the session's last chat, or --channel/--reply-to)")
    .option("--channel <id>", "channel to deliver to with --deliver (telegram, discord, slack, …)")
    .option("--reply-to <target>", "chat id / user to deliver to with --deliver")
    .option("--reply-channel <id>", "same as --channel for the delivery only")
    .option("--reply-account <id>", "channel account to deliver from")
    .option("-t, --to <target>", "same as --reply-to")
    .option(
      "--attach <file...>",
      "attach a file: text goes into the message, images (png, jpeg, gif, webp) go to the model",
    )
    .action(async (options: AgentCommandOptions) => {
      const { runAgentCommand } = await import("./agent-impl.js");
      await runAgentCommand(options);
    });
}
