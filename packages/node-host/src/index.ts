// the exec approvals engine, for embedders (a custom command may use the same policy)
export * from "@openclaw/exec-approvals";
export { builtinCommands } from "./commands.js";
export { type NodeCommandContext, NodeCommandError, type NodeCommandHandler } from "./errors.js";
export { type NodeFile, readNodeFile, writeNodeFile } from "./identity.js";
export { NodeHost, type NodeHostOptions } from "./node-host.js";
export { pinnedWebSocket } from "./tls-pin.js";
export { VERSION } from "./version.js";
