import type { Assistant, ToolInvokeAnswer, ToolInvokeRequest } from "@openclaw/core";

/**
 * `POST /tools/invoke` for the assembly: core's invoker (`createToolInvoker`: the HTTP deny list,
 * then the same tool policy a run of the session gets). Core is imported on the first call only.
 * The session's entry (its model override picks the provider layer) comes from the assistant when
 * it already runs; an idle gateway does not create it for a tool call.
 */
export function createToolInvoker(options: {
  config: () => Record<string, unknown>;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  assistant?: () => Assistant | undefined;
}): (request: ToolInvokeRequest) => Promise<ToolInvokeAnswer> {
  let invoke: ((request: ToolInvokeRequest) => Promise<ToolInvokeAnswer>) | undefined;
  return async (request) => {
    if (!invoke) {
      const core = await import("@openclaw/core");
      invoke = core.createToolInvoker({
        config: () => options.config() as never,
        stateDir: options.stateDir,
        env: options.env,
        sessionEntry: async (sessionKey) => options.assistant?.()?.sessions.get(sessionKey),
      });
    }
    return invoke(request);
  };
}
