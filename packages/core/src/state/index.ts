// The one transcript module is core/agent's; the state layer's names for its types stay exported
// here (the agent area's barrel exports the rest under their own names).
export {
  createTranscriptHeader,
  parseTranscriptJsonl,
  TRANSCRIPT_VERSION,
  type TranscriptEntry as StoredTranscriptEntry,
  type TranscriptEntryInput,
  type TranscriptHeader,
  type TranscriptIssue,
  type TranscriptReadResult,
} from "../agent/transcript.js";
export { createAgentSessionStore } from "./agent-adapter.js";
export {
  type AuthProfileCredential,
  AuthProfileStore,
  type AuthProfilesFile,
  type AuthProfileUsage,
} from "./auth-profile-store.js";
export { ChannelCredentialStore } from "./channel-credential-store.js";
export {
  DEVICE_PAIRING_TTL_MS,
  type DevicePairingInput,
  DevicePairingStore,
  type DeviceTokenRecord,
  type PairedDevice,
  type PendingDeviceRequest,
} from "./device-pairing-store.js";
export {
  DM_PAIRING_CODE_ALPHABET,
  DM_PAIRING_CODE_LENGTH,
  DM_PAIRING_MAX_PENDING,
  DM_PAIRING_TTL_MS,
  type DmPairingRequest,
  DmPairingStore,
  type DmPairingStoreOptions,
} from "./dm-pairing-store.js";
export { StateError, type StateErrorCode } from "./errors.js";
export {
  parseSessionBundle,
  type SessionBundle,
  type SessionEntry as SessionIndexEntry,
  type SessionListFilter,
  type SessionRecord,
  SessionStore,
  type SessionStoreOptions,
  serializeSessionBundle,
} from "./session-store.js";
export { createFileStateStore, createMemoryStateStore, type StateStore } from "./state-store.js";
