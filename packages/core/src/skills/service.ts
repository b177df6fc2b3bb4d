import { EventEmitter } from "node:events";
import { type FSWatcher, watch } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { skillEnvOverlay } from "./env.js";
import { agentSkillAllowlist, type GateContext, gateSkill, pathBinChecker } from "./gating.js";
import { loadSkills, type SkillEntry, type SkillProblem, skillDirs } from "./loader.js";
import { type NodeBins, type NodeCaller, probeNodeBins } from "./node-bins.js";
import { formatSkillsForPrompt, resolveBaseDir, skillCommandName } from "./prompt.js";
import { buildStatusReport, type SkillsStatusReport } from "./status.js";

/** How long the nodes' `system.which` answer is reused. */
const NODE_BINS_TTL_MS = 60_000;

type Loose = Record<string, unknown>;

export interface SkillsServiceOptions {
  /** The effective config (read on every call). */
  config: () => Loose;
  stateDir: string;
  workspaceDir: (agentId: string) => string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Default: the package's bundled `skills/`. */
  bundledDir?: string;
  platform?: NodeJS.Platform;
  /** Bins paired nodes reported; they satisfy `requires.bins` (a node that can run them). */
  remoteBins?: () => ReadonlySet<string> | undefined;
  /** The gateway's nodes: connected nodes serving `system.which` can satisfy `requires.bins` and `os`. */
  nodes?: NodeCaller;
  /** Watch skill folders and refresh snapshots (default: `skills.load.watch`, true). */
  watch?: boolean;
}

/** What one session sees of the skills, fixed until a skill folder or the skills config changes. */
export interface SkillsSnapshot {
  version: number;
  agentId: string;
  /** Eligible skills available to the agent. */
  skills: SkillEntry[];
  /** The system prompt section (empty when no skill is visible to the model). */
  prompt: string;
  /** Slash command name → skill, for user-invocable skills. */
  commands: Map<string, SkillEntry>;
}

/** A `/name args` message that names a user-invocable skill. */
export interface SkillCommand {
  skill: SkillEntry;
  args: string;
}

/**
 * Skills for an assistant or a CLI: loading with precedence, gating, `skills.status`,
 * `skills.bins`, per-session snapshots (refreshed by the watcher), env overlays, slash commands.
 * Events: `changed` (a skill folder changed; snapshots refresh at the next turn).
 */
const SNAPSHOT_CACHE_SIZE = 32;

export class SkillsService extends EventEmitter {
  private version = 0;
  /**
   * Snapshots by what they are built from (skills version, agent, skills config, allowlist): the
   * sessions of an agent share one instead of holding a copy each (~10 KB with a few skills).
   * Bounded: at most SNAPSHOT_CACHE_SIZE keys, the oldest dropped first.
   */
  private readonly snapshots = new Map<string, SkillsSnapshot>();
  private watchers = new Map<string, FSWatcher>();
  private debounce?: NodeJS.Timeout;

  constructor(private readonly options: SkillsServiceOptions) {
    super();
  }

  private get env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  private roots(agentId: string) {
    const config = this.options.config();
    const skills = (config.skills ?? {}) as { load?: { extraDirs?: unknown } };
    const extraDirs = Array.isArray(skills.load?.extraDirs)
      ? skills.load.extraDirs.filter((dir): dir is string => typeof dir === "string")
      : [];
    return {
      workspaceDir: this.options.workspaceDir(agentId),
      stateDir: this.options.stateDir,
      homeDir: this.options.homeDir ?? this.env.HOME ?? homedir(),
      bundledDir: this.options.bundledDir,
      extraDirs,
    };
  }

  private gateContext(): GateContext {
    const given = this.options.remoteBins?.();
    const nodes = this.remote?.value;
    return {
      config: this.options.config(),
      env: this.env,
      platform: this.options.platform ?? process.platform,
      hasBin: pathBinChecker(this.env),
      remoteBins: nodes ? new Set([...(given ?? []), ...nodes.bins]) : given,
      ...(nodes?.platforms.size ? { remotePlatforms: nodes.platforms } : {}),
    };
  }

  private remote?: { at: number; value: NodeBins; pending?: Promise<void> };

  /** Ask the connected nodes (at most once a minute) for the bins missing on this host. */
  private refreshNodes(skills: SkillEntry[]): Promise<void> {
    const nodes = this.options.nodes;
    if (!nodes) return Promise.resolve();
    if (this.remote?.pending) return this.remote.pending;
    if (this.remote && Date.now() - this.remote.at < NODE_BINS_TTL_MS) return Promise.resolve();
    const hasBin = pathBinChecker(this.env);
    const wanted = new Set<string>();
    for (const skill of skills) {
      const requires = skill.frontmatter.metadata.requires;
      for (const bin of [...(requires?.bins ?? []), ...(requires?.anyBins ?? [])])
        if (!hasBin(bin)) wanted.add(bin);
    }
    const previous = this.remote?.value ?? { bins: new Set<string>(), platforms: new Set<string>() };
    const pending = probeNodeBins(nodes, [...wanted].sort()).then((value) => {
      this.remote = { at: Date.now(), value };
    });
    this.remote = { at: this.remote?.at ?? 0, value: previous, pending };
    return pending.catch(() => {
      this.remote = { at: Date.now(), value: previous };
    });
  }

  /** Every skill visible to the agent (precedence applied) and the refused SKILL.md files. */
  async load(agentId: string): Promise<{ skills: SkillEntry[]; problems: SkillProblem[] }> {
    return loadSkills(this.roots(agentId));
  }

  /** `skills.status` for one agent. */
  async status(agentId: string): Promise<SkillsStatusReport> {
    const { skills, problems } = await this.load(agentId);
    await this.refreshNodes(skills);
    return buildStatusReport(skills, problems, {
      ...this.gateContext(),
      agentId,
      workspaceDir: this.options.workspaceDir(agentId),
      managedSkillsDir: path.join(this.options.stateDir, "skills"),
    });
  }

  /** `skills.bins`: every bin the agents' skills require (nodes allowlist them for skill runs). */
  async bins(agentIds: string[]): Promise<string[]> {
    const bins = new Set<string>();
    for (const agentId of agentIds) {
      const { skills } = await this.load(agentId);
      for (const skill of skills) {
        const requires = skill.frontmatter.metadata.requires;
        for (const bin of [...(requires?.bins ?? []), ...(requires?.anyBins ?? [])]) bins.add(bin);
      }
    }
    return [...bins].sort();
  }

  /** The session's snapshot: rebuilt only when a skill folder or the skills config changed. */
  async snapshot(_sessionKey: string, agentId: string): Promise<SkillsSnapshot> {
    const config = this.options.config();
    const allowed = agentSkillAllowlist(config, agentId);
    const nodeBins = this.remote?.value
      ? [...this.remote.value.bins, ...this.remote.value.platforms].sort()
      : null;
    const key = JSON.stringify([
      this.version,
      agentId,
      config.skills ?? null,
      allowed ? [...allowed] : null,
      nodeBins,
    ]);
    const cached = this.snapshots.get(key);
    if (cached) return cached;
    const { skills } = await this.load(agentId);
    // node bins: the first snapshot waits for the nodes' answer, later ones refresh in the background
    if (this.remote) void this.refreshNodes(skills);
    else await this.refreshNodes(skills);
    const context = this.gateContext();
    const available = skills.filter(
      (skill) => gateSkill(skill, context).eligible && (allowed === undefined || allowed.has(skill.name)),
    );
    const commands = new Map<string, SkillEntry>();
    for (const skill of available)
      if (skill.frontmatter.userInvocable) {
        const name = skillCommandName(skill.name);
        if (name && !commands.has(name)) commands.set(name, skill);
      }
    const snapshot: SkillsSnapshot = {
      version: this.version,
      agentId,
      skills: available,
      prompt: formatSkillsForPrompt(available.filter((skill) => !skill.frontmatter.disableModelInvocation)),
      commands,
    };
    this.snapshots.set(key, snapshot);
    if (this.snapshots.size > SNAPSHOT_CACHE_SIZE) this.snapshots.delete(this.snapshots.keys().next().value!);
    if (this.options.watch ?? this.watchEnabled()) this.watchAgent(agentId);
    return snapshot;
  }

  /** The env overlay of a run (see {@link skillEnvOverlay}). */
  envFor(snapshot: SkillsSnapshot): Record<string, string> {
    return skillEnvOverlay(snapshot.skills, this.options.config(), this.env);
  }

  /** `/name args` or `/skill name args` naming a user-invocable skill of the snapshot. */
  resolveCommand(text: string, snapshot: SkillsSnapshot): SkillCommand | undefined {
    const match = /^\/([A-Za-z0-9_][A-Za-z0-9_.-]*)(?:\s+([\s\S]*))?$/.exec(text.trim());
    if (!match) return undefined;
    let name = match[1]!.toLowerCase();
    let args = (match[2] ?? "").trim();
    if (name === "skill") {
      const inner = /^(\S+)(?:\s+([\s\S]*))?$/.exec(args);
      if (!inner) return undefined;
      name = inner[1]!.toLowerCase();
      args = (inner[2] ?? "").trim();
    }
    const skill = snapshot.commands.get(skillCommandName(name));
    return skill ? { skill, args } : undefined;
  }

  /** The user turn a model-dispatched skill command becomes. */
  commandPrompt(command: SkillCommand): string {
    const body = resolveBaseDir(command.skill.body, command.skill).trim();
    return [
      `The user invoked the "${command.skill.name}" skill (${command.skill.filePath}). Follow its instructions:`,
      "",
      body,
      "",
      command.args ? `User input: ${command.args}` : "User input: (none)",
    ].join("\n");
  }

  private watchEnabled(): boolean {
    const skills = (this.options.config().skills ?? {}) as { load?: { watch?: unknown } };
    return skills.load?.watch !== false;
  }

  private watchAgent(agentId: string): void {
    const config = this.options.config();
    const load = ((config.skills ?? {}) as { load?: { watchDebounceMs?: unknown } }).load;
    const delay = typeof load?.watchDebounceMs === "number" ? load.watchDebounceMs : 250;
    for (const { dir, source } of skillDirs(this.roots(agentId))) {
      if (source === "openclaw-bundled" || this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { recursive: true, persistent: false }, () => {
          clearTimeout(this.debounce);
          this.debounce = setTimeout(() => this.bump(), delay);
          this.debounce.unref?.();
        });
        watcher.on("error", () => {});
        this.watchers.set(dir, watcher);
      } catch {}
    }
  }

  /** Mark every snapshot stale (a skill folder changed). */
  bump(): void {
    this.version++;
    this.emit("changed", this.version);
  }

  close(): void {
    clearTimeout(this.debounce);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.snapshots.clear();
  }
}
