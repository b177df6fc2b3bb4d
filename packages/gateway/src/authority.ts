import type { ErrorShape } from "@openclaw/protocol";
import { type RequiredScope, scopeAllows } from "@openclaw/protocol/base";
import { GatewayMethodError } from "./types.js";

/**
 * The one authority rule for handing out scopes (device pairing approval, device token rotation,
 * loopback auto-approval of a connecting device): nobody grants scopes they do not hold
 * themselves, and `operator.admin` is granted only by a holder of `operator.admin` (holding
 * `operator.write` lets one grant `operator.read`, as the method gate does; nothing implies
 * admin).
 */
export function canGrantScopes(
  callerScopes: Iterable<string>,
  requested: Iterable<string>,
): { ok: true } | { ok: false; missing: string[] } {
  const held = callerScopes instanceof Set ? (callerScopes as Set<string>) : new Set(callerScopes);
  const missing: string[] = [];
  for (const scope of requested) {
    const allowed = scope === "operator.admin" ? held.has(scope) : scopeAllows(held, scope as RequiredScope);
    if (!allowed && !missing.includes(scope)) missing.push(scope);
  }
  return missing.length ? { ok: false, missing } : { ok: true };
}

/** The FORBIDDEN / MISSING_SCOPE error for a refused grant (the method gate's shape). */
export function grantDeniedError(missing: string[], action: string): ErrorShape {
  const first = missing[0] ?? "operator.admin";
  const rule =
    first === "operator.admin"
      ? "only an operator.admin caller grants operator.admin"
      : "a caller grants only scopes it holds";
  return {
    code: "FORBIDDEN",
    message: `cannot ${action} with ${missing.join(", ")}: ${rule}`,
    details: { code: "MISSING_SCOPE", missingScope: first, requiredScopes: missing },
  };
}

/** Throw the FORBIDDEN method error unless `callerScopes` may grant `requested`. */
export function assertCanGrant(
  callerScopes: Iterable<string>,
  requested: Iterable<string>,
  action: string,
): void {
  const check = canGrantScopes(callerScopes, requested);
  if (!check.ok) throw new GatewayMethodError(grantDeniedError(check.missing, action));
}
