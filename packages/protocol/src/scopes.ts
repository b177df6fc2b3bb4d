/** Roles a connecting peer declares. */
export const ROLES = ["operator", "node"] as const;
export type Role = (typeof ROLES)[number];

/** Operator scopes a server can grant. */
export const OPERATOR_SCOPES = [
  "operator.read",
  "operator.write",
  "operator.admin",
  "operator.approvals",
  "operator.pairing",
  "operator.talk.secrets",
] as const;
export type OperatorScope = (typeof OPERATOR_SCOPES)[number];

/** The scope a method requires: an operator scope, or `node` for calls only a node may make. */
export type RequiredScope = OperatorScope | "node";

export function isOperatorScope(value: unknown): value is OperatorScope {
  return typeof value === "string" && (OPERATOR_SCOPES as readonly string[]).includes(value);
}

/**
 * May a peer holding `granted` call something that requires `required`?
 * `operator.admin` implies every operator scope; `operator.write` implies `operator.read`.
 * `node` is satisfied only by the literal `node` grant (a node connection), never by operator scopes.
 */
export function scopeAllows(granted: Iterable<string>, required: RequiredScope): boolean {
  const set = granted instanceof Set ? (granted as Set<string>) : new Set(granted);
  if (set.has(required)) return true;
  if (required === "node") return false;
  if (set.has("operator.admin")) return true;
  if (required === "operator.read" && set.has("operator.write")) return true;
  return false;
}

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
