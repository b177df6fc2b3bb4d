import type { BootstrapFile } from "../workspace/workspace.js";

export interface SystemPromptTool {
  name: string;
  description: string;
}

export interface SystemPromptOptions {
  agentId: string;
  agentName?: string;
  workspaceDir: string;
  bootstrapFiles: BootstrapFile[];
  tools: SystemPromptTool[];
  /** `full` for normal sessions, `minimal` for sub-agents, `none` for a bare identity line. */
  mode?: "full" | "minimal" | "none";
  runtime: {
    host: string;
    os: string;
    node: string;
    model: string;
    thinking?: string;
    channel?: string;
  };
  /** IANA timezone (agents.defaults.userTimezone); only the zone, never the clock, for cache hits. */
  timezone?: string;
  /** Channel/group specific extra prompt and caller-provided extra prompt. */
  extra?: string[];
  /** The session's skills section (`formatSkillsForPrompt` of its snapshot); full mode only. */
  skills?: string;
}

/**
 * Build the system prompt. Deliberately stable between turns of a session (no timestamps), so
 * providers' prompt caches keep hitting.
 */
export function buildSystemPrompt(options: SystemPromptOptions): string {
  const name = options.agentName ?? "OpenClaw";
  if (options.mode === "none") return `You are ${name}, a personal assistant running inside OpenClaw.`;
  const sections: string[] = [];
  sections.push(
    `You are ${name}, a personal assistant running inside OpenClaw (agent "${options.agentId}"). Answer in the user's language.`,
  );
  if (options.tools.length) {
    sections.push(
      `## Tools\nYou can call these tools; prefer them over guessing:\n${options.tools
        .map((tool) => `- ${tool.name}: ${tool.description.split("\n")[0]}`)
        .join("\n")}`,
    );
  } else {
    sections.push("## Tools\nNo tools are available in this session.");
  }
  if (options.skills && options.mode !== "minimal") sections.push(options.skills);
  sections.push(
    `## Workspace\nYour working directory is ${options.workspaceDir}. Relative paths resolve there.`,
  );
  if (options.mode !== "minimal") {
    sections.push(
      "## Replies\nIf a message needs no answer (for example a background note), reply with exactly NO_REPLY.",
    );
  }
  if (options.bootstrapFiles.length) {
    const parts = options.bootstrapFiles.map((file) =>
      file.missing
        ? `### ${file.name}\n[missing file: ${file.name} does not exist in the workspace]`
        : `### ${file.name}\n${(file.content ?? "").trimEnd()}`,
    );
    sections.push(
      `## Project context\nThe following workspace files are loaded for you:\n\n${parts.join("\n\n")}`,
    );
  }
  if (options.timezone) sections.push(`## Time\nThe user's timezone is ${options.timezone}.`);
  for (const extra of options.extra ?? []) if (extra.trim()) sections.push(extra.trim());
  const runtime = options.runtime;
  sections.push(
    `## Runtime\nhost=${runtime.host} os=${runtime.os} node=${runtime.node} model=${runtime.model}${runtime.thinking ? ` thinking=${runtime.thinking}` : ""}${runtime.channel ? ` channel=${runtime.channel}` : ""}${options.timezone ? ` tz=${options.timezone}` : ""}`,
  );
  return sections.join("\n\n");
}
