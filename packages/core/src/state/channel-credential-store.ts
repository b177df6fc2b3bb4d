import { readJsonState, updateJsonState } from "./json-file.js";
import type { StateStore } from "./state-store.js";

const safe = (value: string) => value.replace(/[^A-Za-z0-9_.-]/g, "_");

/**
 * Per channel account credential files under `credentials/<channel>/<accountId>/<name>.json`
 * (0600), e.g. a WhatsApp session's `creds.json`. Values are whatever JSON the channel stores.
 */
export class ChannelCredentialStore {
  constructor(private readonly state: StateStore) {}

  path(channel: string, accountId: string, name: string): string {
    return `credentials/${safe(channel)}/${safe(accountId)}/${safe(name)}.json`;
  }

  async get<T = unknown>(channel: string, accountId: string, name: string): Promise<T | undefined> {
    return readJsonState<T | undefined>(this.state, this.path(channel, accountId, name), undefined);
  }

  async set(channel: string, accountId: string, name: string, value: unknown): Promise<void> {
    await updateJsonState(
      this.state,
      this.path(channel, accountId, name),
      () => undefined,
      () => ({ value, result: undefined }),
    );
  }

  async delete(channel: string, accountId: string, name?: string): Promise<void> {
    await this.state.remove(
      name ? this.path(channel, accountId, name) : `credentials/${safe(channel)}/${safe(accountId)}`,
    );
  }

  /** Account ids that have stored credentials for a channel. */
  async accounts(channel: string): Promise<string[]> {
    return this.state.list(`credentials/${safe(channel)}`);
  }
}
