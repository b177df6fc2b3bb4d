import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import type { SkillEntry } from "./loader.js";

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export type Requirements = {
  bins: string[];
  anyBins: string[];
  env: string[];
  config: string[];
  os: string[];
};

export interface GateContext {
  config: Loose;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Is `bin` on the PATH of the host that runs the skill? */
  hasBin(bin: string): boolean;
  /** Bins a paired node reported (`system.which`): they satisfy `requires.bins` too. */
  remoteBins?: ReadonlySet<string>;
  /** Platforms of connected nodes that can run skills (`darwin` for a paired Mac). */
  remotePlatforms?: ReadonlySet<string>;
}

export interface SkillGate {
  skillKey: string;
  always: boolean;
  disabled: boolean;
  blockedByAllowlist: boolean;
  eligible: boolean;
  requirements: Requirements;
  missing: Requirements;
}

/** A PATH lookup, cached per call site (a skill list checks the same bins many times). */
export function pathBinChecker(env: NodeJS.ProcessEnv = process.env): (bin: string) => boolean {
  const dirs = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
  const cache = new Map<string, boolean>();
  return (bin) => {
    let found = cache.get(bin);
    if (found !== undefined) return found;
    found = false;
    if (!bin.includes("/") && !bin.includes("\\"))
      for (const dir of dirs) {
        const candidate = path.join(dir, bin);
        try {
          if (!statSync(candidate).isFile()) continue;
          accessSync(candidate, constants.X_OK);
          found = true;
          break;
        } catch {}
      }
    cache.set(bin, found);
    return found;
  };
}

/** `skills.entries.<key>` of the config. */
export function skillConfig(config: Loose, skillKey: string): Loose | undefined {
  const skills = isObject(config.skills) ? config.skills : {};
  const entries = isObject(skills.entries) ? skills.entries : {};
  const entry = entries[skillKey];
  return isObject(entry) ? entry : undefined;
}

export function skillKeyOf(skill: SkillEntry): string {
  return skill.frontmatter.metadata.skillKey ?? skill.name;
}

function configPathTruthy(config: Loose, dotted: string): boolean {
  let value: unknown = config;
  for (const part of dotted.split(".")) {
    if (!isObject(value)) return false;
    value = value[part];
  }
  return Boolean(value) && !(Array.isArray(value) && value.length === 0);
}

/** The gates of one skill: OS, bins, any-bins, env, config paths, `enabled`, `allowBundled`. */
export function gateSkill(skill: SkillEntry, context: GateContext): SkillGate {
  const meta = skill.frontmatter.metadata;
  const skillKey = skillKeyOf(skill);
  const entry = skillConfig(context.config, skillKey);
  const entryEnv = isObject(entry?.env) ? entry.env : {};
  const skills = isObject(context.config.skills) ? context.config.skills : {};
  const allowBundled = Array.isArray(skills.allowBundled) ? (skills.allowBundled as unknown[]) : undefined;
  const requirements: Requirements = {
    bins: meta.requires?.bins ?? [],
    anyBins: meta.requires?.anyBins ?? [],
    env: meta.requires?.env ?? [],
    config: meta.requires?.config ?? [],
    os: meta.os ?? [],
  };
  const hasBin = (bin: string) => context.hasBin(bin) || context.remoteBins?.has(bin) === true;
  const envSet = (name: string) =>
    Boolean(context.env[name]) ||
    (typeof entryEnv[name] === "string" && entryEnv[name] !== "") ||
    (meta.primaryEnv === name && Boolean(entry?.apiKey));
  const missing: Requirements = {
    bins: requirements.bins.filter((bin) => !hasBin(bin)),
    anyBins:
      requirements.anyBins.length && !requirements.anyBins.some(hasBin) ? [...requirements.anyBins] : [],
    env: requirements.env.filter((name) => !envSet(name)),
    config: requirements.config.filter((dotted) => !configPathTruthy(context.config, dotted)),
    os:
      requirements.os.length &&
      !requirements.os.includes(context.platform) &&
      !requirements.os.some((os) => context.remotePlatforms?.has(os))
        ? [...requirements.os]
        : [],
  };
  const always = meta.always === true;
  const disabled = entry?.enabled === false;
  const blockedByAllowlist =
    skill.source === "openclaw-bundled" && allowBundled !== undefined && !allowBundled.includes(skill.name);
  const satisfied = always || Object.values(missing).every((list) => list.length === 0);
  return {
    skillKey,
    always,
    disabled,
    blockedByAllowlist,
    eligible: !disabled && !blockedByAllowlist && satisfied,
    requirements,
    missing,
  };
}

/** `agents.list[<id>].skills`, else `agents.defaults.skills`; undefined = every skill. */
export function agentSkillAllowlist(config: Loose, agentId: string | undefined): Set<string> | undefined {
  const agents = isObject(config.agents) ? config.agents : {};
  const list = Array.isArray(agents.list) ? (agents.list as Loose[]) : [];
  const own = agentId ? list.find((entry) => isObject(entry) && entry.id === agentId) : undefined;
  const defaults = isObject(agents.defaults) ? agents.defaults : {};
  const allow = Array.isArray(own?.skills)
    ? own.skills
    : Array.isArray(defaults.skills)
      ? defaults.skills
      : undefined;
  return allow ? new Set(allow.filter((name): name is string => typeof name === "string")) : undefined;
}
