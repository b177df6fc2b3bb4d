import type { SkillEntry } from "./loader.js";

function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** `{baseDir}` → the skill's folder. */
export function resolveBaseDir(text: string, skill: Pick<SkillEntry, "baseDir">): string {
  return text.replaceAll("{baseDir}", skill.baseDir);
}

/**
 * The system prompt's skills section: names, descriptions and SKILL.md locations only (the model
 * reads a skill's full text with `read` when it applies), `{baseDir}` resolved.
 */
export function formatSkillsForPrompt(skills: SkillEntry[]): string {
  if (skills.length === 0) return "";
  const items = skills.map(
    (skill) =>
      `<skill><name>${escapeXml(skill.name)}</name><description>${escapeXml(resolveBaseDir(skill.description, skill))}</description><location>${escapeXml(skill.filePath)}</location></skill>`,
  );
  return [
    "## Skills",
    "Before replying, check <available_skills>. When one clearly applies, read its SKILL.md (at <location>) with the read tool, then follow it; never read more than one up front.",
    "<available_skills>",
    ...items,
    "</available_skills>",
  ].join("\n");
}

/** A skill's slash command name: lower-case `a-z0-9_`, at most 32 characters. */
export function skillCommandName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 32);
}
