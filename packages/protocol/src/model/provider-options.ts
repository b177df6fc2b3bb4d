/**
 * Provider-specific options, namespaced by provider package key (`openai`, `anthropic`,
 * `google`, `ollama`). A provider reads only its own namespace and ignores the others, so one
 * prompt can carry options for every provider it may fail over to.
 *
 * Example: `{ anthropic: { cacheControl: { type: "ephemeral" } } }` on a message marks a
 * prompt-cache breakpoint.
 */
export type ProviderOptions = Record<string, Record<string, unknown>>;

/**
 * Provider-specific data returned with stream parts (e.g. `anthropic.signature` on
 * `reasoning-end`, `google.thoughtSignature` on `tool-call`). Pass it back unchanged as the
 * matching prompt part's `providerOptions` on the next turn.
 */
export type ProviderMetadata = Record<string, Record<string, unknown>>;
