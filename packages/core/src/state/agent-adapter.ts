import type { SessionStoreLike, TranscriptStoreLike } from "../agent/session-store.js";
import type { SessionStore } from "./session-store.js";

/**
 * Adapt the state layer's SessionStore to the agent runtime's `SessionStoreLike`
 * (core/agent/session-store.ts): locked, atomic index updates; one writer per transcript;
 * torn last lines isolated before appending; corrupt lines skipped on read.
 */
export function createAgentSessionStore(store: SessionStore): SessionStoreLike {
  return {
    get: (agentId, sessionKey) => store.getEntry(agentId, sessionKey),
    update: (agentId, sessionKey, update) => store.updateEntry(agentId, sessionKey, update),
    updateMany: (agentId, updates) => store.updateEntries(agentId, updates),
    list: (agentId) => store.listEntries(agentId),
    transcript(agentId, entry): TranscriptStoreLike {
      return {
        file: store.transcriptFile(agentId, entry),
        async read() {
          const { header, entries } = await store.readTranscriptOf(agentId, entry);
          return { header, entries };
        },
        append: (entries, header) => store.appendToTranscript(agentId, entry, entries, header),
      };
    },
    archiveTranscript: (agentId, entry, reason) => store.archiveTranscript(agentId, entry, reason),
    // every write is already durable when its promise resolves
    flush: async () => {},
  };
}
