import { execTool, processTool } from "./exec-tools.js";
import { editTool, readTool, writeTool } from "./fs-tools.js";
import { memoryGetTool, memorySearchTool } from "./memory-tools.js";
import {
  sessionStatusTool,
  sessionsHistoryTool,
  sessionsListTool,
  sessionsSendTool,
  sessionsSpawnTool,
} from "./session-tools.js";
import type { ToolDefinition } from "./types.js";
import { webFetchTool } from "./web-fetch.js";
import { webSearchTool } from "./web-search.js";

export { checkExecSecurity, commandPrograms, execTool, processTool } from "./exec-tools.js";
export { editTool, readTool, resolveToolPath, writeTool } from "./fs-tools.js";
export {
  createToolInvoker,
  DEFAULT_HTTP_TOOL_DENY,
  type ToolInvokeAnswer,
  type ToolInvokeRequest,
  type ToolInvokerOptions,
} from "./invoke.js";
export {
  listMemoryFiles,
  type MemoryHit,
  memoryGetTool,
  memorySearchTool,
  searchMemory,
} from "./memory-tools.js";
export { capOutput } from "./output-cap.js";
export {
  isToolAllowed,
  TOOL_GROUPS,
  TOOL_PROFILES,
  type ToolPolicyInput,
  type ToolPolicyLayer,
  type ToolVerdict,
} from "./policy.js";
export { ProcessRegistry, type ProcessSession } from "./process-registry.js";
export { type RunToolContext, runToolPolicy } from "./run-policy.js";
export * from "./session-tools.js";
export * from "./types.js";
export { htmlToText, isPrivateAddress, webFetchTool } from "./web-fetch.js";
export { BRAVE_SEARCH_URL, webSearchTool } from "./web-search.js";

/** Every built-in tool, in the order the system prompt lists them. */
export function builtinTools(): ToolDefinition[] {
  return [
    readTool,
    writeTool,
    editTool,
    execTool,
    processTool,
    webSearchTool,
    webFetchTool,
    memorySearchTool,
    memoryGetTool,
    sessionsListTool,
    sessionsHistoryTool,
    sessionsSendTool,
    sessionsSpawnTool,
    sessionStatusTool,
  ] as ToolDefinition[];
}
