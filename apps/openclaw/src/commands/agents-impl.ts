import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AgentsOptions } from "./agents.js";

type Tree = Record<string, unknown>;

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function fail(message: string, code = 1): void {
  process.stderr.write(`openclaw agents: ${message}\n`);
  process.exitCode = code;
}

async function loaded() {
  const { loadConfig } = await import("@openclaw/core/config");
  return loadConfig({});
}

/** Agents with their resolved workspace/model, the default first-class. */
async function agentRows() {
  const result = await loaded();
  const { listAgentIds, resolveAgent } = await import("@openclaw/core/config");
  const config = result.config as never;
  const mainKey = ((result.config as Tree).session as Tree | undefined)?.mainKey;
  return {
    result,
    mainKey: typeof mainKey === "string" && mainKey ? mainKey : "main",
    rows: listAgentIds(config).map((id) => {
      const agent = resolveAgent(config, id, result.paths);
      return {
        id: agent.id,
        ...(agent.name ? { name: agent.name } : {}),
        isDefault: agent.isDefault,
        workspace: agent.workspace,
        ...(agent.model.primary ? { model: agent.model.primary } : {}),
        sessionsDir: agent.sessionsDir,
      };
    }),
  };
}

export async function agentsList(options: AgentsOptions): Promise<void> {
  const { rows } = await agentRows();
  if (options.json)
    return print(
      JSON.stringify(
        rows.map(({ sessionsDir: _, ...row }) => row),
        null,
        2,
      ),
    );
  for (const row of rows)
    print(
      `${row.id}${row.isDefault ? " (default)" : ""}${row.name ? ` "${row.name}"` : ""}  model ${row.model ?? "(not set)"}  workspace ${row.workspace}`,
    );
}

const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export async function agentsAdd(input: string, options: AgentsOptions): Promise<void> {
  const id = input.trim().toLowerCase();
  if (!AGENT_ID.test(id))
    return fail(`invalid agent id "${input}" (lower-case letters, digits, - and _, at most 64)`, 2);
  const { editConfigFile, ConfigError } = await import("@openclaw/core/config");
  try {
    let duplicate = false;
    const written = await editConfigFile((parsed) => {
      const agents = (parsed.agents ?? {}) as Tree;
      const list = Array.isArray(agents.list) ? [...(agents.list as Tree[])] : [];
      if (list.some((entry) => entry?.id === id)) {
        duplicate = true;
        return [];
      }
      // an empty list means "main only": keep main (and the default) when adding the first other
      if (list.length === 0 && id !== "main") list.push({ id: "main" });
      const entry: Tree = { id };
      if (options.name) entry.name = options.name;
      if (options.workspace) entry.workspace = options.workspace;
      if (options.model) entry.model = { primary: options.model };
      if (options.default) {
        for (const other of list) if (other && typeof other === "object") delete other.default;
        entry.default = true;
      }
      list.push(entry);
      return [{ op: "set", path: ["agents", "list"], value: list }];
    });
    if (duplicate) return fail(`agent "${id}" already exists (see openclaw agents list)`);
    if (options.json) return print(JSON.stringify({ ok: true, id, path: written.path }, null, 2));
    print(`Added agent ${id} to agents.list in ${written.path}.`);
    print(
      "Route chats to it with bindings (agents.bindings) or talk to it: openclaw agent --agent " +
        id +
        ' --message "…"',
    );
  } catch (error) {
    if (ConfigError.isInstance(error)) return fail(error.message);
    throw error;
  }
}

export async function agentsDelete(input: string, options: AgentsOptions): Promise<void> {
  const id = input.trim().toLowerCase();
  const { editConfigFile, ConfigError } = await import("@openclaw/core/config");
  const { rows } = await agentRows();
  const target = rows.find((row) => row.id === id);
  if (!target) return fail(`no agent "${id}" in agents.list (see openclaw agents list)`);
  if (target.isDefault && rows.length > 1)
    return fail(`"${id}" is the default agent; make another one the default first (agents add … --default)`);
  try {
    const written = await editConfigFile((parsed) => {
      const agents = (parsed.agents ?? {}) as Tree;
      const list = Array.isArray(agents.list) ? (agents.list as Tree[]) : [];
      return [{ op: "set", path: ["agents", "list"], value: list.filter((entry) => entry?.id !== id) }];
    });
    if (options.json) return print(JSON.stringify({ ok: true, id, path: written.path }, null, 2));
    print(`Removed agent ${id} from agents.list in ${written.path}.`);
    print(`Its sessions (${target.sessionsDir}) and workspace (${target.workspace}) are kept on disk.`);
  } catch (error) {
    if (ConfigError.isInstance(error)) return fail(error.message);
    throw error;
  }
}

async function sessionsOf(sessionsDir: string): Promise<{ count: number; lastActivity?: number }> {
  try {
    const index = JSON.parse(await readFile(join(sessionsDir, "sessions.json"), "utf8")) as Record<
      string,
      Tree
    >;
    const times = Object.values(index)
      .map((entry) => entry?.updatedAt)
      .filter((value): value is number => typeof value === "number");
    return {
      count: Object.keys(index).length,
      ...(times.length ? { lastActivity: Math.max(...times) } : {}),
    };
  } catch {
    return { count: 0 };
  }
}

export async function agentsStatus(options: AgentsOptions): Promise<void> {
  const { rows } = await agentRows();
  const out = await Promise.all(
    rows.map(async ({ sessionsDir, ...row }) => ({ ...row, sessions: await sessionsOf(sessionsDir) })),
  );
  if (options.json) return print(JSON.stringify(out, null, 2));
  for (const row of out) {
    const last = row.sessions.lastActivity ? new Date(row.sessions.lastActivity).toISOString() : "never";
    print(
      `${row.id}${row.isDefault ? " (default)" : ""}: ${row.sessions.count} session(s), last activity ${last}, model ${row.model ?? "(not set)"}`,
    );
  }
}

/**
 * `agents reset [agentId]`: a fresh conversation in the agent's main session (the FAQ's reset).
 * Through the running gateway when there is one (it holds the transcript), else on disk.
 */
export async function agentsReset(agentId: string | undefined, options: AgentsOptions): Promise<void> {
  const { rows, mainKey, result } = await agentRows();
  const id = (agentId ?? rows.find((row) => row.isDefault)?.id ?? "main").toLowerCase();
  if (!rows.some((row) => row.id === id)) return fail(`no agent "${id}" (see openclaw agents list)`);
  const key = options.session ?? `agent:${id}:${mainKey}`;
  const { resolveTarget } = await import("./gateway-local.js");
  const { openRpc } = await import("./gateway-rpc.js");
  let how: string;
  let archived: string | undefined;
  try {
    const rpc = await openRpc(
      resolveTarget({ url: options.url, token: options.token, password: options.password }),
    );
    try {
      await rpc.call("sessions.reset", { key });
      how = "through the running gateway";
    } finally {
      await rpc.close();
    }
  } catch (error) {
    if (options.url) return fail((error as Error).message);
    // no gateway: reset on disk (the transcript is archived as <id>.jsonl.reset.<ts>)
    const { SessionStore, createFileStateStore } = await import("@openclaw/core/state");
    const store = new SessionStore({ state: createFileStateStore(result.paths.stateDir) });
    try {
      if (!(await store.get(key))) return fail(`no session ${key} yet: nothing to reset`);
      archived = (await store.reset(key)).archivedTranscript;
      how = "on disk (no gateway running)";
    } finally {
      await store.close();
    }
  }
  if (options.json)
    return print(JSON.stringify({ ok: true, key, ...(archived ? { archived } : {}) }, null, 2));
  print(`Reset ${key} ${how}: the next message starts a new conversation.`);
  if (archived) print(`The previous transcript is kept at ${archived}.`);
}
