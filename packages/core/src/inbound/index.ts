// the DM pairing store lives in state/ (one store); its pipeline-facing names stay exported here
export {
  createFilePairingStore,
  DM_PAIRING_CODE_ALPHABET as PAIRING_CODE_ALPHABET,
  DM_PAIRING_CODE_LENGTH as PAIRING_CODE_LENGTH,
  DM_PAIRING_MAX_PENDING as PAIRING_MAX_PENDING,
  DM_PAIRING_TTL_MS as PAIRING_TTL_MS,
  type DmPairingRequest as PairingRequest,
  generatePairingCode,
  type PairingStore,
} from "../state/dm-pairing-store.js";
export {
  type AccessDecision,
  type AccessInput,
  type ChannelAccessConfig,
  type DropReason,
  decideAccess,
} from "./access-policy.js";
export {
  type ChannelAccountStatus,
  type ChannelManager,
  type ChannelManagerOptions,
  type ChannelsStatus,
  createChannelManager,
  type ReconnectPolicy,
  UnsupportedChannelPluginError,
} from "./channel-manager.js";
export {
  assistantForChannels,
  channelGatewayMethods,
  type EnqueueingAssistant,
  type UnsolicitedBusReply,
} from "./gateway-adapters.js";
export {
  createInboundPipeline,
  type InboundAssistant,
  type InboundHostConfig,
  type InboundPipeline,
  type InboundPipelineOptions,
  type InboundReply,
  type InboundTurn,
  type PipelineEvent,
  resolveChannelAccountConfig,
  type UnsolicitedChannelReply,
} from "./inbound-pipeline.js";
export {
  type InboxEntry,
  InboxJournal,
  type InboxOutcome,
  inboxKey,
  type ReplyPayload,
} from "./inbox-journal.js";
