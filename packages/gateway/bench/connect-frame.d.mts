/** The `connect` request a bench client sends after `connect.challenge`, as JSON text. */
export function connectFrame(token: string, version: string, scopes?: string[]): string;
