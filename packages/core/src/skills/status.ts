import { agentSkillAllowlist, type GateContext, gateSkill, type Requirements } from "./gating.js";
import type { SkillEntry, SkillProblem, SkillSource } from "./loader.js";

/** One row of `skills.status` (OpenClaw's shape, which the real CLI's `skills list` renders). */
export type SkillStatusEntry = {
  name: string;
  description: string;
  source: SkillSource;
  bundled: boolean;
  filePath: string;
  baseDir: string;
  skillKey: string;
  primaryEnv?: string;
  emoji?: string;
  homepage?: string;
  always: boolean;
  disabled: boolean;
  blockedByAllowlist: boolean;
  blockedByAgentFilter: boolean;
  eligible: boolean;
  platformIncompatible: boolean;
  modelVisible: boolean;
  userInvocable: boolean;
  commandVisible: boolean;
  requirements: Requirements;
  missing: Requirements;
  configChecks: Array<{ path: string; satisfied: boolean }>;
  install: Array<{ id: string; kind: string; label: string; bins: string[] }>;
};

export type SkillsStatusReport = {
  workspaceDir: string;
  managedSkillsDir: string;
  skills: SkillStatusEntry[];
  /** SKILL.md files that were refused, with the reason. */
  problems: SkillProblem[];
};

function installOptions(skill: SkillEntry): SkillStatusEntry["install"] {
  return (skill.frontmatter.metadata.install ?? []).map((spec, index) => {
    const kind = typeof spec.kind === "string" ? spec.kind : "download";
    const target = [spec.formula, spec.package, spec.module, spec.url].find(
      (value) => typeof value === "string",
    );
    return {
      id: typeof spec.id === "string" ? spec.id : `${kind}-${index}`,
      kind,
      label:
        typeof spec.label === "string"
          ? spec.label
          : target
            ? `Install ${String(target)} (${kind})`
            : "Run installer",
      bins: Array.isArray(spec.bins) ? spec.bins.filter((bin): bin is string => typeof bin === "string") : [],
    };
  });
}

export function skillStatus(
  skill: SkillEntry,
  context: GateContext,
  agentAllow: Set<string> | undefined,
): SkillStatusEntry {
  const gate = gateSkill(skill, context);
  const meta = skill.frontmatter.metadata;
  const blockedByAgentFilter = agentAllow !== undefined && !agentAllow.has(skill.name);
  const available = gate.eligible && !blockedByAgentFilter;
  const userInvocable = skill.frontmatter.userInvocable;
  return {
    name: skill.name,
    description: skill.description,
    source: skill.source,
    bundled: skill.source === "openclaw-bundled",
    filePath: skill.filePath,
    baseDir: skill.baseDir,
    skillKey: gate.skillKey,
    ...(meta.primaryEnv ? { primaryEnv: meta.primaryEnv } : {}),
    ...(meta.emoji ? { emoji: meta.emoji } : {}),
    ...((meta.homepage ?? skill.frontmatter.homepage)
      ? { homepage: meta.homepage ?? skill.frontmatter.homepage }
      : {}),
    always: gate.always,
    disabled: gate.disabled,
    blockedByAllowlist: gate.blockedByAllowlist,
    blockedByAgentFilter,
    eligible: gate.eligible,
    platformIncompatible: gate.missing.os.length > 0,
    modelVisible: available && !skill.frontmatter.disableModelInvocation,
    userInvocable,
    commandVisible: available && userInvocable,
    requirements: gate.requirements,
    missing: gate.missing,
    configChecks: gate.requirements.config.map((dotted) => ({
      path: dotted,
      satisfied: !gate.missing.config.includes(dotted),
    })),
    install: installOptions(skill),
  };
}

/** The status of every skill for one agent. */
export function buildStatusReport(
  skills: SkillEntry[],
  problems: SkillProblem[],
  context: GateContext & { agentId?: string; workspaceDir: string; managedSkillsDir: string },
): SkillsStatusReport {
  const allow = agentSkillAllowlist(context.config, context.agentId);
  return {
    workspaceDir: context.workspaceDir,
    managedSkillsDir: context.managedSkillsDir,
    skills: skills.map((skill) => skillStatus(skill, context, allow)),
    problems,
  };
}
