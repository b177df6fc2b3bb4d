import { readFileSync } from "node:fs";
import { type ClientFlags, print, resolveTarget } from "./gateway-local.js";
import { CliError, openRpc, type RpcSession, runClient } from "./gateway-rpc.js";

export interface ApprovalsFlags extends ClientFlags {
  gateway?: boolean;
  node?: string;
  file?: string;
  stdin?: boolean;
  agent?: string;
  once?: boolean;
  always?: boolean;
}

interface Snapshot {
  path: string;
  exists: boolean;
  hash: string;
  invalid?: string;
  file: {
    version: 1;
    agents?: Record<string, { allowlist?: { id?: string; pattern: string }[] } & Record<string, unknown>>;
  } & Record<string, unknown>;
}

interface Pending {
  id: string;
  request: {
    command: string;
    cwd?: string | null;
    host?: string | null;
    nodeId?: string | null;
    agentId?: string | null;
    reason?: string | null;
  };
  createdAtMs: number;
  expiresAtMs: number;
}

async function read(session: RpcSession, flags: ApprovalsFlags): Promise<Snapshot> {
  return flags.node
    ? session.call<Snapshot>("exec.approvals.node.get", { nodeId: flags.node })
    : session.call<Snapshot>("exec.approvals.get", {});
}

async function write(
  session: RpcSession,
  flags: ApprovalsFlags,
  file: unknown,
  baseHash: string,
): Promise<Snapshot> {
  return flags.node
    ? session.call<Snapshot>("exec.approvals.node.set", { nodeId: flags.node, file, baseHash })
    : session.call<Snapshot>("exec.approvals.set", { file, baseHash });
}

function show(snapshot: Snapshot, flags: ApprovalsFlags): void {
  if (flags.json) {
    print(JSON.stringify(snapshot, null, 2));
    return;
  }
  const where = flags.node ? `node ${flags.node}` : "gateway";
  const lines = [`Exec approvals (${where}): ${snapshot.path}${snapshot.exists ? "" : " (not created yet)"}`];
  if (snapshot.invalid)
    lines.push(`INVALID — every command is denied until it is fixed: ${snapshot.invalid}`);
  lines.push(JSON.stringify(snapshot.file, null, 2));
  print(lines.join("\n"));
}

async function newFile(flags: ApprovalsFlags): Promise<unknown> {
  if (!flags.file && !flags.stdin) throw new CliError("approvals set needs --file <path> or --stdin", 2);
  const text = flags.stdin ? readFileSync(0, "utf8") : readFileSync(flags.file!, "utf8");
  const { default: JSON5 } = await import("json5");
  try {
    return JSON5.parse(text);
  } catch (error) {
    throw new CliError(`the new exec approvals are not valid JSON5: ${(error as Error).message}`, 2);
  }
}

async function editAllowlist(
  session: RpcSession,
  flags: ApprovalsFlags,
  action: "add" | "remove",
  pattern: string,
): Promise<void> {
  const snapshot = await read(session, flags);
  if (snapshot.invalid) throw new CliError(`cannot edit: ${snapshot.invalid}`);
  const file = structuredClone(snapshot.file);
  const agentId = flags.agent ?? "main";
  file.agents ??= {};
  file.agents[agentId] ??= {};
  const agent = file.agents[agentId];
  agent.allowlist ??= [];
  const list = agent.allowlist;
  const same = (entry: { id?: string; pattern: string }) =>
    entry.pattern.toLowerCase() === pattern.toLowerCase() || entry.id === pattern;
  if (action === "add") {
    if (list.some(same)) return print(`Already allowed for ${agentId}: ${pattern}`);
    list.push({ id: crypto.randomUUID(), pattern });
  } else {
    const kept = list.filter((entry) => !same(entry));
    if (kept.length === list.length) throw new CliError(`no allowlist entry ${pattern} for agent ${agentId}`);
    agent.allowlist = kept;
  }
  await write(session, flags, file, snapshot.hash);
  print(`${action === "add" ? "Allowed" : "Removed"} for ${agentId}: ${pattern}`);
}

async function act(
  session: RpcSession,
  action: string,
  positional: string[],
  flags: ApprovalsFlags,
): Promise<void> {
  switch (action) {
    case "get":
      return show(await read(session, flags), flags);
    case "set": {
      const file = await newFile(flags);
      const current = await read(session, flags);
      return show(await write(session, flags, file, current.hash), flags);
    }
    case "allowlist-add":
    case "allowlist-remove":
      return editAllowlist(session, flags, action === "allowlist-add" ? "add" : "remove", positional[0]!);
    case "pending": {
      const { approvals } = await session.call<{ approvals: Pending[] }>("exec.approval.list", {});
      if (flags.json) return print(JSON.stringify(approvals, null, 2));
      if (!approvals.length) return print("No commands waiting for approval.");
      return print(
        approvals
          .map(
            (entry) =>
              `${entry.id}  ${entry.request.host === "node" ? `node ${entry.request.nodeId?.slice(0, 12) ?? "?"}…` : "gateway"}  ${entry.request.command}${entry.request.cwd ? `  (cwd ${entry.request.cwd})` : ""}${entry.request.reason ? `  — ${entry.request.reason}` : ""}  expires in ${Math.max(0, Math.round((entry.expiresAtMs - Date.now()) / 1000))} s`,
          )
          .join("\n"),
      );
    }
    case "approve":
    case "deny": {
      if (flags.once && flags.always) throw new CliError("choose one of --once and --always", 2);
      const decision = action === "deny" ? "deny" : flags.always ? "allow-always" : "allow-once";
      await session.call("exec.approval.resolve", { id: positional[0], decision });
      return print(
        flags.json ? JSON.stringify({ id: positional[0], decision }) : `${positional[0]}: ${decision}`,
      );
    }
    default:
      throw new CliError(`unknown approvals action: ${action}`, 2);
  }
}

/** `openclaw approvals …` through the running gateway. */
export async function approvalsCommand(
  action: string,
  positional: string[],
  flags: ApprovalsFlags,
): Promise<void> {
  await runClient(async () => {
    const session = await openRpc(resolveTarget(flags), [
      "operator.read",
      "operator.admin",
      "operator.approvals",
    ]);
    try {
      await act(session, action, positional, flags);
    } finally {
      await session.close().catch(() => undefined);
    }
  });
}
