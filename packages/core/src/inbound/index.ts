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
export {
  createFilePairingStore,
  generatePairingCode,
  PAIRING_CODE_ALPHABET,
  PAIRING_CODE_LENGTH,
  PAIRING_MAX_PENDING,
  PAIRING_TTL_MS,
  type PairingRequest,
  type PairingStore,
} from "./pairing-store.js";
