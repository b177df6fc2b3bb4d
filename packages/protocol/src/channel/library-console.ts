import { format } from "node:util";
import type { ChannelLogger } from "./plugin-v1.js";

/** Libraries whose console lines are routed: label → the file pattern of their code, the loggers. */
const routes = new Map<string, { match: RegExp; loggers: ChannelLogger[]; objects: boolean }>();
let installed = false;

const LEVELS = ["log", "info", "debug", "trace", "warn", "error"] as const;

/** The file of the function that called `console.<level>` (the frame just below our wrapper). */
function callerFrame(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 4;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  return stack.split("\n")[3] ?? "";
}

function install() {
  installed = true;
  for (const level of LEVELS) {
    const original = console[level];
    console[level] = function (this: Console, ...args: unknown[]) {
      if (routes.size > 0) {
        const caller = callerFrame();
        for (const [label, route] of routes) {
          const logger = route.loggers[route.loggers.length - 1];
          if (!logger || !route.match.test(caller)) continue;
          const shown = route.objects
            ? args
            : args.map((arg) => (arg !== null && typeof arg === "object" ? "[…]" : arg));
          return logger.debug(`${label}: ${format(...shown)}`);
        }
      }
      return original.apply(this, args);
    };
  }
}

/**
 * Some vendor libraries write to `console` with no logger option (@mattermost/client's
 * WebSocketClient: "websocket connecting to …", "websocket closed: 1006", whole error events;
 * matrix-js-sdk's global logger: "setting pendingEvent status …"). While a route is open,
 * `console` calls made directly by code whose file matches `match` go to `logger` at debug level
 * (`<label>: …`) instead of the gateway's stdout; every other `console` call passes through
 * unchanged. With several accounts of one library, the latest opened logger gets the lines.
 * `objects: false` replaces object arguments by `[…]` (libsignal prints whole session records,
 * key material included). Returns the function that closes the route.
 */
export function routeLibraryConsole(
  label: string,
  match: RegExp,
  logger: ChannelLogger,
  options: { objects?: boolean } = {},
): () => void {
  if (!installed) install();
  const route = routes.get(label) ?? { match, loggers: [], objects: options.objects !== false };
  routes.set(label, route);
  route.loggers.push(logger);
  return () => {
    const index = route.loggers.lastIndexOf(logger);
    if (index >= 0) route.loggers.splice(index, 1);
    if (route.loggers.length === 0 && routes.get(label) === route) routes.delete(label);
  };
}
