import { skillConfig, skillKeyOf } from "./gating.js";
import type { SkillEntry } from "./loader.js";

type Loose = Record<string, unknown>;

function secret(value: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (typeof value === "string") {
    const named = /^\$\{([A-Z0-9_]+)\}$/i.exec(value) ?? /^env:([A-Z0-9_]+)$/i.exec(value);
    return named ? env[named[1]!] || undefined : value || undefined;
  }
  if (value && typeof value === "object" && (value as Loose).source === "env")
    return env[String((value as Loose).id)] || undefined;
  return undefined;
}

/**
 * The environment one run adds for its eligible skills: `skills.entries.<key>.env` and the
 * `apiKey` under the skill's `primaryEnv`, only for variables the process does not set. It is an
 * overlay handed to that run's tools (exec), never written to `process.env`: nothing to restore,
 * and other sessions never see it.
 */
export function skillEnvOverlay(
  skills: SkillEntry[],
  config: Loose,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const overlay: Record<string, string> = {};
  for (const skill of skills) {
    const entry = skillConfig(config, skillKeyOf(skill));
    if (!entry) continue;
    const vars = entry.env && typeof entry.env === "object" ? (entry.env as Loose) : {};
    for (const [name, value] of Object.entries(vars)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || env[name] !== undefined || name in overlay) continue;
      const resolved = secret(value, env);
      if (resolved !== undefined) overlay[name] = resolved;
    }
    const primary = skill.frontmatter.metadata.primaryEnv;
    const apiKey = secret(entry.apiKey, env);
    if (primary && apiKey && env[primary] === undefined && !(primary in overlay)) overlay[primary] = apiKey;
  }
  return overlay;
}
