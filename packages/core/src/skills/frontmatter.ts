import { parse as parseYaml } from "yaml";

/** `metadata.openclaw` (legacy `clawdbot`) of a SKILL.md. */
export interface SkillMetadata {
  always?: boolean;
  emoji?: string;
  homepage?: string;
  os?: string[];
  requires?: { bins?: string[]; anyBins?: string[]; env?: string[]; config?: string[] };
  primaryEnv?: string;
  skillKey?: string;
  install?: Array<{ id?: string; kind?: string; label?: string; bins?: string[]; [key: string]: unknown }>;
}

export interface SkillFrontmatter {
  name: string;
  description: string;
  homepage?: string;
  userInvocable: boolean;
  disableModelInvocation: boolean;
  commandDispatch?: "tool";
  commandTool?: string;
  commandArgMode?: "raw";
  metadata: SkillMetadata;
}

/** A skill name (and folder name): letters, digits, `-`, `_`, `.`; no path separators, no `..`. */
export const SKILL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isSafeSkillName(name: string): boolean {
  return SKILL_NAME.test(name) && !name.includes("..");
}

export class SkillParseError extends Error {
  readonly code = "INVALID_SKILL" as const;
}

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function stringList(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) return undefined;
  const items = value.filter((item): item is string => typeof item === "string" && item.trim() !== "");
  return items;
}

function bool(value: unknown, fallback: boolean): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return fallback;
}

function readMetadata(raw: unknown): SkillMetadata {
  let value = raw;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new SkillParseError("metadata is not valid JSON");
    }
  }
  if (!isObject(value)) return {};
  const own = isObject(value.openclaw)
    ? value.openclaw
    : isObject(value.clawdbot)
      ? value.clawdbot
      : undefined;
  if (!own) return {};
  const requires = isObject(own.requires) ? own.requires : {};
  const skillKey = typeof own.skillKey === "string" ? own.skillKey : undefined;
  if (skillKey !== undefined && !isSafeSkillName(skillKey))
    throw new SkillParseError(`metadata.openclaw.skillKey "${skillKey}" is not a valid skill key`);
  return {
    ...(typeof own.always === "boolean" ? { always: own.always } : {}),
    ...(typeof own.emoji === "string" ? { emoji: own.emoji } : {}),
    ...(typeof own.homepage === "string" ? { homepage: own.homepage } : {}),
    ...(stringList(own.os) ? { os: stringList(own.os) } : {}),
    requires: {
      bins: stringList(requires.bins) ?? [],
      anyBins: stringList(requires.anyBins) ?? [],
      env: stringList(requires.env) ?? [],
      config: stringList(requires.config) ?? [],
    },
    ...(typeof own.primaryEnv === "string" ? { primaryEnv: own.primaryEnv } : {}),
    ...(skillKey ? { skillKey } : {}),
    ...(Array.isArray(own.install)
      ? { install: own.install.filter(isObject) as SkillMetadata["install"] }
      : {}),
  };
}

/** Split a SKILL.md into its YAML frontmatter (parsed with the `yaml` library) and its body. */
export function parseSkillFile(text: string): { frontmatter: SkillFrontmatter; body: string } {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) throw new SkillParseError("SKILL.md has no YAML frontmatter (--- … ---)");
  let data: unknown;
  try {
    data = parseYaml(match[1]!, { maxAliasCount: 16 });
  } catch (error) {
    throw new SkillParseError(`frontmatter is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!isObject(data)) throw new SkillParseError("frontmatter is not a YAML mapping");
  const name = typeof data.name === "string" ? data.name.trim() : "";
  const description = typeof data.description === "string" ? data.description.trim() : "";
  if (!name) throw new SkillParseError("frontmatter has no name");
  if (!isSafeSkillName(name))
    throw new SkillParseError(`skill name "${name}" is not allowed (letters, digits, . _ - only; no paths)`);
  if (!description) throw new SkillParseError("frontmatter has no description");
  const dispatch = data["command-dispatch"];
  return {
    frontmatter: {
      name,
      description,
      ...(typeof data.homepage === "string" ? { homepage: data.homepage } : {}),
      userInvocable: bool(data["user-invocable"], true),
      disableModelInvocation: bool(data["disable-model-invocation"], false),
      ...(dispatch === "tool" ? { commandDispatch: "tool" as const } : {}),
      ...(typeof data["command-tool"] === "string" ? { commandTool: data["command-tool"] } : {}),
      ...(data["command-arg-mode"] === "raw" ? { commandArgMode: "raw" as const } : {}),
      metadata: readMetadata(data.metadata),
    },
    body: text.slice(match[0].length),
  };
}
