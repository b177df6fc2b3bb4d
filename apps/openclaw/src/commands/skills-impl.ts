import type { SkillStatusEntry, SkillsStatusReport } from "@openclaw/core/skills";
import type { SkillsFlags } from "./skills.js";

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

class SkillsCliError extends Error {}

async function report(flags: SkillsFlags): Promise<SkillsStatusReport> {
  const { getDefaultAgentId, loadConfig, listAgentIds, resolveAgent } = await import("@openclaw/core/config");
  const loaded = await loadConfig({});
  const config = loaded.config as never;
  const agentId = (flags.agent ?? getDefaultAgentId(config)).toLowerCase();
  if (flags.agent && !listAgentIds(config).includes(agentId))
    throw new SkillsCliError(`unknown agent "${flags.agent}" (agents: ${listAgentIds(config).join(", ")})`);
  const { SkillsService } = await import("@openclaw/core/skills");
  const service = new SkillsService({
    config: () => loaded.config as Record<string, unknown>,
    stateDir: loaded.paths.stateDir,
    homeDir: loaded.paths.homeDir,
    workspaceDir: (id) => resolveAgent(config, id, loaded.paths).workspace,
    watch: false,
  });
  try {
    return await service.status(agentId);
  } finally {
    service.close();
  }
}

async function run(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    process.stderr.write(`openclaw skills: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof SkillsCliError ? 2 : 1;
  }
}

function state(skill: SkillStatusEntry): string {
  if (skill.disabled) return "disabled";
  if (skill.blockedByAllowlist) return "blocked";
  if (skill.blockedByAgentFilter) return "excluded";
  return skill.eligible ? "ready" : "needs setup";
}

const GROUPS = ["bins", "anyBins", "env", "config", "os"] as const;

function missingSummary(skill: SkillStatusEntry): string {
  return GROUPS.filter((key) => skill.missing[key].length > 0)
    .map((key) => `${key}: ${skill.missing[key].join(", ")}`)
    .join("; ");
}

export async function skillsList(flags: SkillsFlags): Promise<void> {
  await run(async () => {
    const status = await report(flags);
    const ready = (skill: SkillStatusEntry) => skill.eligible && !skill.blockedByAgentFilter;
    const skills = flags.eligible ? status.skills.filter(ready) : status.skills;
    if (flags.json) return print(JSON.stringify({ ...status, skills }, null, 2));
    if (skills.length === 0) return print(flags.eligible ? "No eligible skills found." : "No skills found.");
    print(`Skills (${skills.filter(ready).length}/${skills.length} ready)`);
    const nameWidth = Math.min(28, Math.max(...skills.map((skill) => skill.name.length + 3)));
    for (const skill of skills) {
      const name = `${skill.emoji ? `${skill.emoji} ` : ""}${skill.name}`;
      const missing = flags.verbose && !skill.eligible ? `  [${missingSummary(skill)}]` : "";
      print(
        `${state(skill).padEnd(12)}${name.padEnd(nameWidth)}  ${skill.source.padEnd(22)}${skill.description}${missing}`,
      );
    }
    for (const problem of status.problems) print(`refused   ${problem.path}: ${problem.reason}`);
  });
}

export async function skillsInfo(name: string, flags: SkillsFlags): Promise<void> {
  await run(async () => {
    const status = await report(flags);
    const skill = status.skills.find((entry) => entry.name === name || entry.skillKey === name);
    if (!skill) {
      if (flags.json)
        print(JSON.stringify({ ok: false, error: `Skill "${name}" not found.`, skill: name }, null, 2));
      throw new SkillsCliError(`skill "${name}" not found (openclaw skills list shows them all)`);
    }
    if (flags.json) return print(JSON.stringify(skill, null, 2));
    const lines = [
      `${skill.emoji ? `${skill.emoji} ` : ""}${skill.name} — ${state(skill)}`,
      "",
      skill.description,
      "",
      `Source: ${skill.source}`,
      `Path: ${skill.filePath}`,
      ...(skill.homepage ? [`Homepage: ${skill.homepage}`] : []),
      `Visible to model: ${skill.modelVisible ? "yes" : "no"}`,
      `Available as command: ${skill.commandVisible ? "yes" : "no"}`,
      ...(skill.primaryEnv ? [`Primary env: ${skill.primaryEnv}`] : []),
    ];
    const required = GROUPS.filter((key) => skill.requirements[key].length > 0);
    if (required.length) lines.push("", "Requirements:");
    for (const key of required)
      lines.push(
        `  ${key}: ${skill.requirements[key].map((item) => `${skill.missing[key].includes(item) ? "✗" : "✓"} ${item}`).join(", ")}`,
      );
    if (skill.install.length && !skill.eligible)
      lines.push("", "Install options:", ...skill.install.map((option) => `  → ${option.label}`));
    if (skill.primaryEnv && skill.missing.env.includes(skill.primaryEnv))
      lines.push("", `API key: openclaw config set skills.entries.${skill.skillKey}.apiKey <key>`);
    print(lines.join("\n"));
  });
}

export async function skillsCheck(flags: SkillsFlags): Promise<void> {
  await run(async () => {
    const status = await report(flags);
    const eligible = status.skills.filter((skill) => skill.eligible);
    const missing = status.skills.filter((skill) => GROUPS.some((key) => skill.missing[key].length > 0));
    const summary = {
      total: status.skills.length,
      eligible: eligible.map((skill) => skill.name),
      modelVisible: status.skills.filter((skill) => skill.modelVisible).map((skill) => skill.name),
      commandVisible: status.skills.filter((skill) => skill.commandVisible).map((skill) => skill.name),
      disabled: status.skills.filter((skill) => skill.disabled).map((skill) => skill.name),
      blocked: status.skills.filter((skill) => skill.blockedByAllowlist).map((skill) => skill.name),
      excluded: status.skills.filter((skill) => skill.blockedByAgentFilter).map((skill) => skill.name),
      missingRequirements: missing.map((skill) => ({ name: skill.name, missing: skill.missing })),
      problems: status.problems,
    };
    if (flags.json) return print(JSON.stringify(summary, null, 2));
    print(
      [
        `Total: ${summary.total}`,
        `Eligible: ${summary.eligible.length}`,
        `Visible to the model: ${summary.modelVisible.length}`,
        `Slash commands: ${summary.commandVisible.length}`,
        `Disabled: ${summary.disabled.length}`,
        `Blocked by allowBundled: ${summary.blocked.length}`,
        `Excluded by the agent's allowlist: ${summary.excluded.length}`,
        `Missing requirements: ${missing.length}`,
        ...missing.map((skill) => `  ${skill.name} (${missingSummary(skill)})`),
        ...(status.problems.length
          ? ["Refused:", ...status.problems.map((problem) => `  ${problem.path}: ${problem.reason}`)]
          : []),
      ].join("\n"),
    );
  });
}

export async function skillsInstall(source: string, flags: SkillsFlags): Promise<void> {
  await run(async () => {
    const { resolve } = await import("node:path");
    const { loadConfig } = await import("@openclaw/core/config");
    const { installSkill, SkillInstallError } = await import("@openclaw/core/skills");
    const loaded = await loadConfig({});
    try {
      const result = await installSkill(resolve(source), {
        stateDir: loaded.paths.stateDir,
        force: flags.force,
      });
      if (flags.json) return print(JSON.stringify({ ok: true, ...result }, null, 2));
      print(
        `Installed ${result.name} into ${result.dir}${result.replaced ? " (replaced)" : ""}. New sessions see it.`,
      );
    } catch (error) {
      if (!(error instanceof SkillInstallError)) throw error;
      if (flags.json) print(JSON.stringify({ ok: false, reasons: error.reasons }, null, 2));
      throw new SkillsCliError(`refused ${source}:\n  - ${error.reasons.join("\n  - ")}`);
    }
  });
}
