/** The pages, in the navigation's order; each module is loaded when it is first shown. */
export const PAGES = [
  { id: "chat", label: "Chat", load: () => import("./pages/chat.js") },
  { id: "sessions", label: "Sessions", load: () => import("./pages/sessions.js") },
  { id: "channels", label: "Channels", load: () => import("./pages/channels.js") },
  { id: "devices", label: "Devices & nodes", load: () => import("./pages/devices.js") },
  { id: "approvals", label: "Approvals", load: () => import("./pages/approvals.js") },
  { id: "automation", label: "Automation", load: () => import("./pages/automation.js") },
  { id: "models", label: "Models", load: () => import("./pages/models.js") },
  { id: "config", label: "Config", load: () => import("./pages/config.js") },
  { id: "logs", label: "Logs", load: () => import("./pages/logs.js") },
  { id: "health", label: "Health", load: () => import("./pages/health.js") },
] as const;
