import { z } from "zod";

// The zod schemas of the built-in tools' arguments. Loaded with the first tool call (each tool's
// `parameters` is a loader of its schema), not with the first turn: the JSON Schemas the model
// receives are precomputed from these in builtin-tool-schemas.ts (`pnpm --filter @openclaw/core gen`;
// builtin-tool-schemas.test.ts fails when that file is out of date).

/** `read` */
export const readParameters = z.object({
  path: z.string().min(1).describe("file path"),
  offset: z.number().int().min(1).optional().describe("first line to return (1-based)"),
  limit: z.number().int().min(1).optional().describe("number of lines to return"),
});

/** `write` */
export const writeParameters = z.object({ path: z.string().min(1), content: z.string() });

/** `edit` */
export const editParameters = z.object({
  path: z.string().min(1),
  oldText: z.string().min(1),
  newText: z.string(),
  replaceAll: z.boolean().optional(),
});

/** `exec` */
export const execParameters = z.object({
  command: z.string().min(1),
  yieldMs: z.number().int().min(0).optional().describe("ms to wait before backgrounding (default 10000)"),
  background: z.boolean().optional().describe("start in the background immediately"),
  timeout: z.number().positive().optional().describe("seconds before the command is killed (default 1800)"),
  workdir: z.string().optional(),
});

/** `process` */
export const processParameters = z.object({
  action: z.enum(["list", "poll", "log", "write", "kill", "clear", "remove"]),
  id: z.string().optional(),
  data: z.string().optional().describe("text written to stdin (action=write)"),
  eof: z.boolean().optional().describe("close stdin after writing (action=write)"),
});

/** `web_search` */
export const webSearchParameters = z.object({
  query: z.string().min(1),
  count: z.number().int().min(1).max(10).optional(),
});

/** `web_fetch` */
export const webFetchParameters = z.object({
  url: z.string().url(),
  maxChars: z.number().int().min(100).optional(),
});

/** `memory_get` */
export const memoryGetParameters = z.object({
  path: z.string().min(1),
  from: z.number().int().min(1).optional(),
  lines: z.number().int().min(1).optional(),
});

/** `memory_search` */
export const memorySearchParameters = z.object({
  query: z.string().min(1),
  maxResults: z.number().int().min(1).max(50).optional(),
});

/** `sessions_list` */
export const sessionsListParameters = z.object({
  limit: z.number().int().min(1).max(200).optional(),
  activeMinutes: z.number().int().min(1).optional(),
});

/** `sessions_history` */
export const sessionsHistoryParameters = z.object({
  sessionKey: z.string().min(1),
  limit: z.number().int().min(1).max(200).optional(),
});

/** `sessions_send` */
export const sessionsSendParameters = z.object({
  sessionKey: z.string().min(1),
  message: z.string().min(1),
  timeoutSeconds: z.number().min(0).max(600).optional(),
});

/** `sessions_spawn` */
export const sessionsSpawnParameters = z.object({
  task: z.string().min(1),
  label: z.string().optional(),
  agentId: z.string().optional(),
  model: z.string().optional(),
  runTimeoutSeconds: z.number().int().min(1).optional(),
  cleanup: z
    .enum(["keep", "delete"])
    .optional()
    .describe('"delete": remove the sub-agent session (transcript archived) once its result is announced'),
});

/** `session_status` */
export const sessionStatusParameters = z.object({ sessionKey: z.string().optional() });

/** Every built-in tool's argument schema, by tool name. */
export const BUILTIN_TOOL_PARAMETERS = {
  read: readParameters,
  write: writeParameters,
  edit: editParameters,
  exec: execParameters,
  process: processParameters,
  web_search: webSearchParameters,
  web_fetch: webFetchParameters,
  memory_get: memoryGetParameters,
  memory_search: memorySearchParameters,
  sessions_list: sessionsListParameters,
  sessions_history: sessionsHistoryParameters,
  sessions_send: sessionsSendParameters,
  sessions_spawn: sessionsSpawnParameters,
  session_status: sessionStatusParameters,
} as const;
