// The `connect` request a bench client sends after the gateway's `connect.challenge` (token auth,
// protocol 3–4), as the JSON text of the frame. Plain JavaScript: deep-frame-sender.mjs runs
// under bare Node.

/**
 * @param {string} token the gateway token
 * @param {string} version the client version the bench reports (its name)
 * @param {string[]} [scopes] operator scopes to ask for (none: the gateway's default)
 * @returns {string}
 */
export function connectFrame(token, version, scopes) {
  return JSON.stringify({
    type: "req",
    id: "c",
    method: "connect",
    params: {
      minProtocol: 3,
      maxProtocol: 4,
      client: { id: "test", version, platform: process.platform, mode: "test" },
      auth: { token },
      ...(scopes ? { scopes } : {}),
    },
  });
}
