import type { Logger } from "./logging.js";

/** OpenClaw's per-address cap on sockets that have not authenticated yet. */
export const DEFAULT_MAX_PREAUTH_PER_ADDRESS = 32;
/** Cap on unauthenticated sockets from all addresses together. */
export const DEFAULT_MAX_PREAUTH_TOTAL = 256;

export interface PreauthLimits {
  perAddress: number;
  total: number;
}

function positive(value: string | undefined): number | undefined {
  const parsed = value === undefined ? Number.NaN : Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : undefined;
}

/**
 * The unauthenticated-socket caps: options, else `OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP` /
 * `OPENCLAW_MAX_PREAUTH_CONNECTIONS`, else 32 per address and 256 in total.
 */
export function resolvePreauthLimits(
  options: { maxUnauthenticatedPerAddress?: number; maxUnauthenticated?: number },
  env: NodeJS.ProcessEnv,
): PreauthLimits {
  return {
    perAddress:
      options.maxUnauthenticatedPerAddress ??
      positive(env.OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP) ??
      DEFAULT_MAX_PREAUTH_PER_ADDRESS,
    total:
      options.maxUnauthenticated ??
      positive(env.OPENCLAW_MAX_PREAUTH_CONNECTIONS) ??
      DEFAULT_MAX_PREAUTH_TOTAL,
  };
}

/**
 * Admission of a new WebSocket upgrade: counts the sockets not authenticated yet (connections
 * still in the handshake, plus upgrades waiting for the WebSocket side to load) for the address
 * and in total. Refusals are logged at most once per 5 s with the number refused meanwhile, so a
 * flood cannot flood the log.
 */
export function createPreauthGate(limits: PreauthLimits, logger: Logger) {
  let refused = 0;
  let lastLogAt = 0;
  return {
    limits,
    /** Undefined when the socket may proceed, else the reason it is refused. */
    check(
      remote: string,
      connections: Iterable<{ state: string; address: string }>,
      upgrading: ReadonlyMap<string, number>,
    ): "address" | "total" | undefined {
      let fromAddress = upgrading.get(remote) ?? 0;
      let total = 0;
      for (const count of upgrading.values()) total += count;
      for (const conn of connections) {
        if (conn.state === "open" || conn.state === "closed") continue;
        total++;
        if (conn.address === remote) fromAddress++;
      }
      const reason =
        fromAddress >= limits.perAddress ? "address" : total >= limits.total ? "total" : undefined;
      if (reason) {
        refused++;
        const now = Date.now();
        if (now - lastLogAt >= 5000) {
          logger.warn(
            { remote, fromAddress, total, limits, refused },
            reason === "address"
              ? "refusing WebSocket: too many unauthenticated sockets from one address"
              : "refusing WebSocket: too many unauthenticated sockets in total",
          );
          lastLogAt = now;
          refused = 0;
        }
      }
      return reason;
    },
  };
}
