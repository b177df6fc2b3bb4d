import { isPlainObject } from "./key-path.js";
import type { LegacyKeyUse } from "./types.js";

/**
 * Keys of `agents` that are part of the canonical shape (anything else is a per-agent map).
 * `routing` (the FAQ's "agents.routing") is not an agent: it is left for validation to report as
 * ignored, pointing at `bindings`.
 */
const AGENTS_RESERVED = new Set(["defaults", "list", "entries", "routing"]);

type Tree = Record<string, unknown>;

export interface NormalizeResult {
  config: Tree;
  /** Alternate spellings that were translated. `rewrite: true` ones are offered by doctor. */
  legacy: (LegacyKeyUse & { rewrite: boolean })[];
}

function obj(parent: Tree, key: string): Tree {
  const current = parent[key];
  if (isPlainObject(current)) return current;
  const created: Tree = {};
  parent[key] = created;
  return created;
}

function isEmpty(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 0;
}

function modelObject(value: unknown): { primary?: string; fallbacks?: string[] } | undefined {
  if (typeof value === "string") return { primary: value };
  if (isPlainObject(value)) return { ...(value as { primary?: string; fallbacks?: string[] }) };
  return undefined;
}

function failoverList(failover: unknown): { enabled: boolean; models: string[] } | undefined {
  if (!isPlainObject(failover)) return undefined;
  const models = Array.isArray(failover.models)
    ? failover.models.filter((m): m is string => typeof m === "string")
    : [];
  return { enabled: failover.enabled !== false, models };
}

/**
 * Apply FAQ failover semantics to a canonical model object: the list is the ordered chain; when no
 * primary is set its first entry becomes the primary, the rest (minus the primary) the fallbacks.
 * A disabled failover means "no fallbacks". Canonical `fallbacks` already present win.
 */
function applyFailover(
  model: { primary?: string; fallbacks?: string[] },
  failover: { enabled: boolean; models: string[] },
  inheritedPrimary?: string,
): { primary?: string; fallbacks?: string[] } {
  const out = { ...model };
  if (out.fallbacks !== undefined) return out;
  if (!failover.enabled) {
    out.fallbacks = [];
    return out;
  }
  let chain = failover.models;
  if (out.primary === undefined && inheritedPrimary === undefined && chain.length > 0) {
    out.primary = chain[0];
    chain = chain.slice(1);
  }
  const primary = out.primary ?? inheritedPrimary;
  out.fallbacks = chain.filter((entry) => entry !== primary);
  return out;
}

function slug(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return base || "job";
}

type Note = (path: string, canonical: string, text: string, rewrite?: boolean) => void;

/** models.defaults.model, models.aliases, models.failover → agents.defaults.* */
function modelsAliases(config: Tree, note: Note): void {
  const models = isPlainObject(config.models) ? config.models : undefined;
  if (!models) return;
  let translated = 0;
  const noted: Note = (...args) => {
    translated++;
    note(...args);
  };

  // models.defaults.model → agents.defaults.model.primary
  if (isPlainObject(models.defaults) && "model" in models.defaults) {
    const legacyModel = modelObject(models.defaults.model);
    const defaults = obj(obj(config, "agents"), "defaults");
    const current = modelObject(defaults.model) ?? {};
    if (legacyModel) {
      defaults.model = {
        ...legacyModel,
        ...Object.fromEntries(Object.entries(current).filter(([, value]) => value !== undefined)),
      };
    }
    noted(
      "models.defaults.model",
      "agents.defaults.model.primary",
      current.primary ? "ignored: agents.defaults.model is also set and wins" : "default model",
    );
    delete models.defaults.model;
    if (isEmpty(models.defaults)) delete models.defaults;
  }

  // models.aliases.<alias> = "provider/model" → agents.defaults.models["provider/model"].alias
  if (isPlainObject(models.aliases)) {
    const catalog = obj(obj(obj(config, "agents"), "defaults"), "models");
    for (const [alias, target] of Object.entries(models.aliases)) {
      if (typeof target !== "string") continue;
      const entry = obj(catalog, target);
      if (entry.alias === undefined) entry.alias = alias;
      noted(`models.aliases.${alias}`, `agents.defaults.models["${target}"].alias`, `model alias "${alias}"`);
    }
    delete models.aliases;
  }

  // models.failover → agents.defaults.model.{primary,fallbacks}
  if ("failover" in models) {
    const failover = failoverList(models.failover);
    if (failover) {
      const defaults = obj(obj(config, "agents"), "defaults");
      defaults.model = applyFailover(modelObject(defaults.model) ?? {}, failover);
      noted("models.failover", "agents.defaults.model.fallbacks", "model failover chain");
      delete models.failover;
    }
  }

  if (Object.keys(models).length === 0 && translated > 0) delete config.models;
}

/** top-level memorySearch → agents.defaults.memorySearch */
function memorySearchAlias(config: Tree, note: Note): void {
  if (!isPlainObject(config.memorySearch)) return;
  const defaults = obj(obj(config, "agents"), "defaults");
  const current = isPlainObject(defaults.memorySearch) ? defaults.memorySearch : {};
  defaults.memorySearch = { ...config.memorySearch, ...current };
  note("memorySearch", "agents.defaults.memorySearch", "memory search settings");
  delete config.memorySearch;
}

/** The canonical entry of a FAQ `agents.<id>` map entry (`defaults` flattened, `models.failover` applied). */
function agentMapEntry(fields: Tree, defaultPrimary: string | undefined): Tree {
  const entry: Tree = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === "defaults" && isPlainObject(value)) {
      for (const [innerKey, innerValue] of Object.entries(value)) entry[innerKey] = innerValue;
    } else if (key === "models" && isPlainObject(value)) {
      const { failover, ...restModels } = value;
      if (Object.keys(restModels).length > 0) entry.models = restModels;
      if (failover !== undefined) entry.__failover = failover;
    } else entry[key] = value;
  }
  if ("model" in entry || "__failover" in entry) {
    let model = modelObject(entry.model) ?? {};
    const failover = failoverList(entry.__failover);
    if (failover) model = applyFailover(model, failover, model.primary ?? defaultPrimary);
    entry.model = model;
    delete entry.__failover;
  }
  return entry;
}

/** agents.entries.<id> (OpenClaw 2026.9) and agents.<id> (FAQ) → agents.list[] */
function agentListAliases(config: Tree, note: Note): void {
  const agents = isPlainObject(config.agents) ? config.agents : undefined;
  if (!agents) return;
  const list: Tree[] = Array.isArray(agents.list) ? (agents.list as Tree[]) : [];
  const byId = new Map<string, Tree>();
  for (const entry of list)
    if (isPlainObject(entry) && typeof entry.id === "string") byId.set(entry.id.toLowerCase(), entry);
  const upsert = (id: string, fields: Tree) => {
    const existing = byId.get(id.toLowerCase());
    if (existing) {
      for (const [key, value] of Object.entries(fields)) if (!(key in existing)) existing[key] = value;
    } else {
      const entry = { id, ...fields };
      list.push(entry);
      byId.set(id.toLowerCase(), entry);
    }
  };
  if (isPlainObject(agents.entries)) {
    for (const [id, fields] of Object.entries(agents.entries)) {
      if (!isPlainObject(fields)) continue;
      const { id: _ignored, ...rest } = fields;
      upsert(id, rest);
    }
    note("agents.entries", "agents.list", "per-agent entries (OpenClaw 2026.9 spelling)", false);
    delete agents.entries;
  }
  const defaultsModel = isPlainObject(agents.defaults) ? modelObject(agents.defaults.model) : undefined;
  for (const id of Object.keys(agents)) {
    if (AGENTS_RESERVED.has(id) || id.startsWith("$")) continue;
    const fields = agents[id];
    if (!isPlainObject(fields)) continue;
    upsert(id, agentMapEntry(fields, defaultsModel?.primary));
    note(`agents.${id}`, `agents.list[id=${id}]`, `agent "${id}" declared as a map entry`);
    delete agents[id];
  }
  if (list.length > 0) agents.list = list;
}

/** gateway.remote.{enabled,host,port} → gateway.remote.url (+ gateway.mode "remote") */
function remoteGatewayAlias(config: Tree, note: Note): void {
  const gateway = isPlainObject(config.gateway) ? config.gateway : undefined;
  const remote = gateway && isPlainObject(gateway.remote) ? gateway.remote : undefined;
  if (gateway && remote && ("host" in remote || "enabled" in remote || "port" in remote)) {
    const host = typeof remote.host === "string" ? remote.host : undefined;
    const port =
      typeof remote.port === "number"
        ? remote.port
        : typeof remote.port === "string"
          ? Number(remote.port)
          : 18789;
    if (host && remote.url === undefined) {
      const scheme = port === 443 ? "wss" : "ws";
      const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
      remote.url = `${scheme}://${bracketed}:${port}`;
      note("gateway.remote.host", "gateway.remote.url", "remote gateway address");
    }
    if (remote.enabled === true && gateway.mode === undefined) {
      gateway.mode = "remote";
      note("gateway.remote.enabled", "gateway.mode", 'remote.enabled: true means gateway.mode "remote"');
    } else if ("enabled" in remote) {
      note("gateway.remote.enabled", "gateway.mode", "remote.enabled has no effect when gateway.mode is set");
    }
    delete remote.host;
    delete remote.port;
    delete remote.enabled;
  }
}

/** automation.cron.jobs[] {name, schedule, command} → cron.jobs[] */
function cronJobsAlias(config: Tree, note: Note): void {
  const automation = isPlainObject(config.automation) ? config.automation : undefined;
  if (automation && isPlainObject(automation.cron)) {
    const cron = obj(config, "cron");
    const jobs: unknown[] = Array.isArray(cron.jobs) ? cron.jobs : [];
    const taken = new Set(jobs.map((job) => (isPlainObject(job) ? job.id : undefined)));
    const legacyJobs = Array.isArray(automation.cron.jobs) ? automation.cron.jobs : [];
    legacyJobs.forEach((job) => {
      if (!isPlainObject(job)) {
        jobs.push(job);
        return;
      }
      const { name, schedule, command, id, enabled, ...rest } = job;
      let jobId = typeof id === "string" ? id : slug(typeof name === "string" ? name : "job");
      for (let n = 2; taken.has(jobId); n++) jobId = `${slug(String(name ?? "job"))}-${n}`;
      taken.add(jobId);
      jobs.push({
        id: jobId,
        name,
        ...(enabled === undefined ? {} : { enabled }),
        schedule: typeof schedule === "string" ? { kind: "cron", expr: schedule } : schedule,
        payload: typeof command === "string" ? { kind: "command", command } : rest.payload,
        ...Object.fromEntries(Object.entries(rest).filter(([key]) => key !== "payload")),
      });
    });
    cron.jobs = jobs;
    note("automation.cron.jobs", "cron.jobs", "scheduled jobs");
    const { jobs: _jobs, ...otherCron } = automation.cron;
    for (const [key, value] of Object.entries(otherCron)) if (!(key in cron)) cron[key] = value;
    delete automation.cron;
    if (isEmpty(automation)) delete config.automation;
  }
}

/** automation.webhooks (the FAQ's spelling; `true` or an object) → hooks (hooks' own keys win) */
function webhooksAlias(config: Tree, note: Note): void {
  const rest = isPlainObject(config.automation) ? config.automation : undefined;
  const webhooks = rest?.webhooks;
  if (rest && webhooks !== undefined) {
    const hooks = obj(config, "hooks");
    const given = isPlainObject(webhooks) ? webhooks : { enabled: webhooks === true };
    for (const [key, value] of Object.entries(given)) if (!(key in hooks)) hooks[key] = value;
    note("automation.webhooks", "hooks", "webhooks");
    delete rest.webhooks;
    if (isEmpty(rest)) delete config.automation;
  }
}

/**
 * Translate every accepted alternate spelling (the FAQ forms, OpenClaw 2026.9 `agents.entries`)
 * into the canonical shape. Input is not modified. Canonical keys always win over aliases.
 */
export function normalizeConfigAliases(input: Tree): NormalizeResult {
  const config = structuredClone(input) as Tree;
  const legacy: NormalizeResult["legacy"] = [];
  const note: Note = (path, canonical, text, rewrite = true) => {
    legacy.push({ path, canonical, note: text, rewrite });
  };
  for (const step of [
    modelsAliases,
    memorySearchAlias,
    agentListAliases,
    remoteGatewayAlias,
    cronJobsAlias,
    webhooksAlias,
  ])
    step(config, note);
  return { config, legacy };
}
