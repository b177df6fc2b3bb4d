import type { ScopeGrantDeniedError } from "@openclaw/core/state/devices";
import type { ErrorShape } from "@openclaw/protocol";
import { canGrantScopes } from "@openclaw/protocol/base";
import { GatewayMethodError } from "./types.js";

// The one authority rule for handing out scopes is protocol's `canGrantScopes`; core's
// DevicePairingStore also applies it inside its locked writes (approve, rotateToken).
export { canGrantScopes };

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

/** Run a store write that checks the grant itself; its refusal becomes the FORBIDDEN method error. */
export async function withGrantCheck<T>(action: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    // matched by shape: the method table loads no value from core
    const denied = error as Partial<ScopeGrantDeniedError> | undefined;
    if (denied?.name === "ScopeGrantDeniedError" && Array.isArray(denied.missing))
      throw new GatewayMethodError(grantDeniedError(denied.missing, action));
    throw error;
  }
}
