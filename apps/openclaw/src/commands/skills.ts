import type { Command } from "commander";

export interface SkillsFlags {
  agent?: string;
  json?: boolean;
  eligible?: boolean;
  verbose?: boolean;
  force?: boolean;
}

/** `openclaw skills list|info|check|install`: read locally (config, workspace, ~/.openclaw/skills). */
export function registerSkills(program: Command): void {
  const skills = program.command("skills").description("skills (SKILL.md folders) and their requirements");
  const agent = (command: Command) =>
    command.option("--agent <id>", "agent whose workspace and allowlist apply (default: the default agent)");
  agent(
    skills
      .command("list")
      .description("list every skill and whether it is ready")
      .option("--eligible", "only skills ready to use")
      .option("-v, --verbose", "show missing requirements")
      .option("--json", "output JSON"),
  ).action(async (options: SkillsFlags) => (await import("./skills-impl.js")).skillsList(options));
  agent(
    skills
      .command("info")
      .description("one skill: source, path, requirements, install hints")
      .argument("<name>", "skill name")
      .option("--json", "output JSON"),
  ).action(async (name: string, options: SkillsFlags) =>
    (await import("./skills-impl.js")).skillsInfo(name, options),
  );
  agent(
    skills
      .command("check")
      .description("which skills are ready, hidden from the model, or missing requirements")
      .option("--json", "output JSON"),
  ).action(async (options: SkillsFlags) => (await import("./skills-impl.js")).skillsCheck(options));
  skills
    .command("install")
    .description(
      "install a skill folder or archive (.tar.gz/.tgz/.tar, ClawHub's layout) into ~/.openclaw/skills",
    )
    .argument("<source>", "folder or archive")
    .option("--force", "replace an installed skill of the same name")
    .option("--json", "output JSON")
    .action(async (source: string, options: SkillsFlags) =>
      (await import("./skills-impl.js")).skillsInstall(source, options),
    );
}
