import { randomUUID } from "node:crypto";
import { type ClientFlags, print, resolveTarget } from "./gateway-local.js";
import { CliError, openRpc, type RpcSession, runClient } from "./gateway-rpc.js";

interface NodeRow {
  nodeId: string;
  displayName?: string;
  platform?: string;
  version?: string;
  caps?: string[];
  commands?: string[];
  deniedCommands?: string[];
  remoteIp?: string;
  paired?: boolean;
  connected?: boolean;
  connectedAtMs?: number;
  pairingRequestId?: string;
}

interface PendingRow {
  requestId: string;
  nodeId: string;
  displayName?: string;
  platform?: string;
  remoteIp?: string;
  commands?: string[];
  ts: number;
}

export interface NodesFlags extends ClientFlags {
  node?: string;
  name?: string;
  command?: string;
  params?: string;
  cwd?: string;
  commandTimeout?: string;
  invokeTimeout?: string;
}

const SCOPES = ["operator.read", "operator.write", "operator.pairing", "operator.admin"];

function label(node: NodeRow): string {
  return `${node.displayName ?? "(unnamed)"}  ${node.nodeId.slice(0, 12)}…`;
}

function describeNode(node: NodeRow): string {
  const state = node.connected ? "online" : "offline";
  const lines = [
    `${label(node)}  ${state}${node.paired ? "" : `  NOT PAIRED${node.pairingRequestId ? ` (openclaw nodes approve ${node.pairingRequestId})` : ""}`}`,
    `  id: ${node.nodeId}`,
    `  platform: ${node.platform ?? "?"}  version: ${node.version ?? "?"}${node.remoteIp ? `  address: ${node.remoteIp}` : ""}`,
    `  caps: ${node.caps?.join(", ") || "none"}`,
    `  commands: ${node.commands?.join(", ") || "none"}`,
  ];
  if (node.deniedCommands?.length) lines.push(`  refused by the gateway: ${node.deniedCommands.join(", ")}`);
  return lines.join("\n");
}

function nodeArg(positional: (string | string[])[], flags: NodesFlags): string {
  const node = flags.node ?? (typeof positional[0] === "string" ? positional[0] : undefined);
  if (!node) throw new CliError("which node? pass --node <idOrNameOrIp> (see openclaw nodes status)", 2);
  return node;
}

function parseJson(text: string | undefined, what: string): unknown {
  try {
    return JSON.parse(text ?? "{}");
  } catch (error) {
    throw new CliError(`${what} is not valid JSON: ${(error as Error).message}`, 2);
  }
}

async function status(session: RpcSession, flags: NodesFlags, pendingToo: boolean): Promise<void> {
  const { nodes } = await session.call<{ nodes: NodeRow[] }>("node.list", {});
  const pending = pendingToo
    ? (await session.call<{ pending: PendingRow[] }>("node.pair.list", {})).pending
    : [];
  if (flags.json) return print(JSON.stringify(pendingToo ? { nodes, pending } : { nodes }, null, 2));
  const online = nodes.filter((node) => node.connected).length;
  const lines = [`Nodes: ${nodes.length} known, ${online} online`];
  for (const node of nodes) lines.push(describeNode(node));
  if (pendingToo) {
    lines.push(`Pending (${pending.length}):`);
    for (const request of pending)
      lines.push(
        `  ${request.requestId}  ${request.displayName ?? "?"}  ${request.nodeId.slice(0, 12)}…  from ${request.remoteIp ?? "?"}`,
      );
  }
  print(lines.join("\n"));
}

async function runOnNode(
  session: RpcSession,
  positional: (string | string[])[],
  flags: NodesFlags,
): Promise<void> {
  const node = nodeArg(positional, flags);
  const argv = (positional.find((arg) => Array.isArray(arg)) as string[] | undefined) ?? [];
  const words = flags.node && typeof positional[0] === "string" ? [positional[0], ...argv] : argv;
  if (!words.length) throw new CliError("nothing to run: openclaw nodes run <node> -- <command> [args…]", 2);
  const timeoutMs = Number(flags.invokeTimeout ?? 150_000);
  const outcome = await session.call<{
    ok: boolean;
    payload?: { stdout?: string; stderr?: string; exitCode?: number | null; timedOut?: boolean };
    error?: { code?: string; message?: string };
  }>(
    "node.invoke",
    {
      nodeId: node,
      command: "system.run",
      params: {
        command: words,
        ...(flags.cwd ? { cwd: flags.cwd } : {}),
        ...(flags.commandTimeout ? { commandTimeoutMs: Number(flags.commandTimeout) } : {}),
      },
      timeoutMs,
      idempotencyKey: randomUUID(),
    },
    { timeoutMs: timeoutMs + 5000 },
  );
  if (flags.json) return print(JSON.stringify(outcome, null, 2));
  if (!outcome.ok)
    throw new CliError(outcome.error?.message ?? `system.run failed (${outcome.error?.code ?? "error"})`);
  const result = outcome.payload ?? {};
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  if (result.timedOut) process.stderr.write("[killed: command timeout]\n");
  process.exitCode = typeof result.exitCode === "number" ? result.exitCode : 1;
}

async function act(
  session: RpcSession,
  action: string,
  positional: (string | string[])[],
  flags: NodesFlags,
): Promise<void> {
  const id = typeof positional[0] === "string" ? positional[0] : "";
  switch (action) {
    case "status":
      return status(session, flags, false);
    case "list":
      return status(session, flags, true);
    case "pending": {
      const { pending } = await session.call<{ pending: PendingRow[] }>("node.pair.list", {});
      if (flags.json) return print(JSON.stringify(pending, null, 2));
      if (!pending.length) return print("No pending node pairing requests.");
      return print(
        pending
          .map(
            (r) =>
              `${r.requestId}  ${r.displayName ?? "?"}  node ${r.nodeId.slice(0, 12)}…  ${r.platform ?? ""}  from ${r.remoteIp ?? "?"}  commands: ${r.commands?.join(", ") || "none"}`,
          )
          .join("\n"),
      );
    }
    case "approve": {
      const result = await session.call<{ node: NodeRow }>("node.pair.approve", { requestId: id });
      return print(
        flags.json
          ? JSON.stringify(result, null, 2)
          : `Approved node ${result.node.displayName ?? ""} (${result.node.nodeId})`,
      );
    }
    case "reject": {
      const result = await session.call<{ nodeId: string }>("node.pair.reject", { requestId: id });
      return print(flags.json ? JSON.stringify(result, null, 2) : `Rejected node ${result.nodeId}`);
    }
    case "remove": {
      const result = await session.call<{ nodeId: string; removed: boolean }>("node.pair.remove", {
        nodeId: nodeArg(positional, flags),
      });
      return print(
        flags.json
          ? JSON.stringify(result, null, 2)
          : result.removed
            ? `Removed node ${result.nodeId}`
            : `Node ${result.nodeId} was not paired`,
      );
    }
    case "describe": {
      const node = await session.call<NodeRow>("node.describe", { nodeId: nodeArg(positional, flags) });
      return print(flags.json ? JSON.stringify(node, null, 2) : describeNode(node));
    }
    case "rename": {
      const name = flags.name ?? (typeof positional[1] === "string" ? positional[1] : undefined);
      if (!name) throw new CliError("the new name? pass --name <displayName>", 2);
      const result = await session.call<{ nodeId: string; displayName: string }>("node.rename", {
        nodeId: nodeArg(positional, flags),
        displayName: name,
      });
      return print(
        flags.json ? JSON.stringify(result, null, 2) : `Renamed ${result.nodeId} to ${result.displayName}`,
      );
    }
    case "invoke": {
      if (!flags.command) throw new CliError("which command? pass --command <name> (e.g. system.which)", 2);
      const timeoutMs = Number(flags.invokeTimeout ?? 30_000);
      const outcome = await session.call<{
        ok: boolean;
        payload?: unknown;
        error?: { code?: string; message?: string };
      }>(
        "node.invoke",
        {
          nodeId: nodeArg(positional, flags),
          command: flags.command,
          params: parseJson(flags.params, "--params"),
          timeoutMs,
          idempotencyKey: randomUUID(),
        },
        { timeoutMs: timeoutMs + 5000 },
      );
      print(JSON.stringify(flags.json ? outcome : outcome.ok ? outcome.payload : outcome.error, null, 2));
      if (!outcome.ok) process.exitCode = 1;
      return;
    }
    case "run":
      return runOnNode(session, positional, flags);
    default:
      throw new CliError(`unknown nodes action: ${action}`, 2);
  }
}

/** Every `openclaw nodes …` action goes through the running gateway (nodes are live connections). */
export async function nodesCommand(
  action: string,
  positional: (string | string[])[],
  flags: NodesFlags,
): Promise<void> {
  await runClient(async () => {
    const session = await openRpc(resolveTarget(flags), SCOPES);
    try {
      await act(session, action, positional, flags);
    } finally {
      await session.close().catch(() => undefined);
    }
  });
}
