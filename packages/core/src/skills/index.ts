/**
 * `@openclaw/core/skills`: AgentSkills-compatible `SKILL.md` folders. Loading with OpenClaw's
 * precedence, gating (OS, bins, env, config, enabled, allowBundled, per-agent allowlists), the
 * system prompt section, per-session snapshots, per-run env overlays, slash commands, and
 * `skills install` with its scanner. Loaded on the first turn or skills call, never at start-up.
 */
export { skillEnvOverlay } from "./env.js";
export {
  isSafeSkillName,
  parseSkillFile,
  type SkillFrontmatter,
  type SkillMetadata,
  SkillParseError,
} from "./frontmatter.js";
export {
  agentSkillAllowlist,
  type GateContext,
  gateSkill,
  pathBinChecker,
  type Requirements,
  type SkillGate,
} from "./gating.js";
export {
  INSTALL_LIMITS,
  type InstallResult,
  installSkill,
  SkillInstallError,
  scanSkillFolder,
} from "./install.js";
export {
  bundledSkillsDir,
  loadSkills,
  MAX_SKILL_FILE_BYTES,
  type SkillEntry,
  type SkillProblem,
  type SkillRoots,
  type SkillSource,
  skillDirs,
} from "./loader.js";
export { type NodeBins, type NodeCaller, probeNodeBins } from "./node-bins.js";
export { formatSkillsForPrompt, resolveBaseDir, skillCommandName } from "./prompt.js";
export {
  type SkillCommand,
  SkillsService,
  type SkillsServiceOptions,
  type SkillsSnapshot,
} from "./service.js";
export { buildStatusReport, type SkillStatusEntry, type SkillsStatusReport, skillStatus } from "./status.js";
