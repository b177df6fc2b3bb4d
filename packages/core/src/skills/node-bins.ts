/** How the skills service reaches the gateway's nodes (the gateway's own `call`). */
export interface NodeCaller {
  call(method: string, params: Record<string, unknown>): Promise<unknown>;
}

/** What connected nodes can run: the bins they found (`system.which`) and their platforms. */
export interface NodeBins {
  bins: Set<string>;
  platforms: Set<string>;
}

type Loose = Record<string, unknown>;

function platformOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const lower = value.toLowerCase();
  if (lower.startsWith("mac") || lower === "darwin" || lower === "ios") return "darwin";
  if (lower.startsWith("win")) return "win32";
  if (lower.startsWith("linux")) return "linux";
  return lower;
}

/**
 * Ask every connected node that serves `system.which` which of `bins` it has. A node that has
 * some of them also makes its platform acceptable for the skills needing them (a Linux gateway
 * with a paired Mac runs mac-only skills there). Nodes that fail or time out count for nothing.
 */
export async function probeNodeBins(nodes: NodeCaller, bins: string[], timeoutMs = 5_000): Promise<NodeBins> {
  const result: NodeBins = { bins: new Set(), platforms: new Set() };
  if (bins.length === 0) return result;
  const listed = (await nodes.call("node.list", {}).catch(() => undefined)) as
    | { nodes?: Loose[] }
    | undefined;
  const connected = (listed?.nodes ?? []).filter(
    (node) =>
      node.connected === true &&
      typeof node.nodeId === "string" &&
      Array.isArray(node.commands) &&
      node.commands.includes("system.which"),
  );
  await Promise.all(
    connected.map(async (node) => {
      const answer = (await nodes
        .call("node.invoke", {
          nodeId: node.nodeId,
          command: "system.which",
          params: { bins },
          timeoutMs,
          idempotencyKey: `skills-which-${node.nodeId}-${Date.now()}`,
        })
        .catch(() => undefined)) as
        | { ok?: boolean; payload?: unknown; payloadJSON?: string | null }
        | undefined;
      if (!answer?.ok) return;
      let payload = answer.payload as { bins?: unknown } | undefined;
      if (payload === undefined && typeof answer.payloadJSON === "string")
        try {
          payload = JSON.parse(answer.payloadJSON) as { bins?: unknown };
        } catch {}
      const found = payload?.bins;
      const names = Array.isArray(found)
        ? found.filter((bin): bin is string => typeof bin === "string")
        : found && typeof found === "object"
          ? Object.keys(found)
          : [];
      for (const bin of names) if (bins.includes(bin)) result.bins.add(bin);
      const platform = platformOf(node.platform);
      if (names.length && platform) result.platforms.add(platform);
    }),
  );
  return result;
}
