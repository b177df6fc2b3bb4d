import type { AssistantContext } from "../assistant-context.js";

/** What a `/name args` message naming a user-invocable skill becomes. */
export type SkillDispatch =
  /** A model turn with the skill's instructions (the default). */
  | { kind: "model"; text: string }
  /** `command-dispatch: tool`: the tool ran and this is its output (no model call). */
  | { kind: "reply"; text: string };

/**
 * Resolve a slash message against the session's skills snapshot: `/<skill> args` and
 * `/skill <name> args`. Undefined when it names no user-invocable, eligible skill (the message
 * then goes to the model as typed).
 */
export async function dispatchSkillCommand(
  context: AssistantContext,
  target: { sessionKey: string; agentId: string; text: string },
): Promise<SkillDispatch | undefined> {
  const service = await context.deps.skills?.().catch(() => undefined);
  if (!service) return undefined;
  const snapshot = await service.snapshot(target.sessionKey, target.agentId);
  const command = service.resolveCommand(target.text, snapshot);
  if (!command) return undefined;
  const front = command.skill.frontmatter;
  if (front.commandDispatch !== "tool" || !front.commandTool)
    return { kind: "model", text: service.commandPrompt(command) };
  const { allowedToolsFor, runTool } = await import("../agent/tool-execution.js");
  const deps = context.deps;
  const allowed = allowedToolsFor(deps.tools, deps.config, {
    agentId: target.agentId,
    sessionKey: target.sessionKey,
  });
  const result = await runTool(
    {
      id: `skill-${Date.now().toString(36)}`,
      name: front.commandTool,
      arguments: { command: command.args, commandName: command.skill.name, skillName: command.skill.name },
    },
    {
      deps,
      agentId: target.agentId,
      sessionKey: target.sessionKey,
      toolsByName: new Map(allowed.map((tool) => [tool.name, tool])),
      knownTools: new Set(deps.tools.map((tool) => tool.name)),
      workspaceDir: deps.workspaceDir(target.agentId),
      toolsConfig: (deps.config.tools ?? {}) as never,
      signal: AbortSignal.timeout(120_000),
      skillEnv: service.envFor(snapshot),
    },
  );
  return { kind: "reply", text: result.content };
}
