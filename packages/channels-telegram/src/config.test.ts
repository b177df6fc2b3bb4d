import { createDiscordChannel } from "@openclaw/channels-discord";
import { createSlackChannel } from "@openclaw/channels-slack";
import { describe, expect, it } from "vitest";
import { createTelegramChannel } from "./index.js";

// Connecting checks `channels.<id>` without zod; the plugin's `configSchema` (zod) is built on first
// read. Both report the same problem the same way.
const plugins = [
  createTelegramChannel({ env: {} }),
  createDiscordChannel({ env: {} }),
  createSlackChannel({ env: {} }),
];

function zodMessage(plugin: (typeof plugins)[number], block: unknown): string | undefined {
  const parsed = plugin.configSchema?.safeParse(block);
  if (!parsed || parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `channels.${plugin.id}.${issue?.path.join(".")}: ${issue?.message}`;
}

describe("channel config blocks of Telegram, Discord and Slack", () => {
  it.each(plugins.map((plugin) => [plugin.id, plugin] as const))(
    "%s: a bad key in an account is reported with its path, as its zod schema reports it",
    (_id, plugin) => {
      const block = { accounts: { work: { enabled: "yes" } } };
      const message = "Invalid input: expected boolean, received string";
      expect(() => plugin.config.resolveAccount(block, "work")).toThrow(
        `channels.${plugin.id}.accounts.work.enabled: ${message}`,
      );
      expect(zodMessage(plugin, block)).toBe(`channels.${plugin.id}.accounts.work.enabled: ${message}`);
    },
  );

  it("Telegram: port range, URL, stream mode and throttle are checked as before", () => {
    const [telegram] = plugins;
    const cases: [Record<string, unknown>, string][] = [
      [{ webhookPort: 70000 }, "channels.telegram.webhookPort: Too big: expected number to be <=65535"],
      [{ apiRoot: "not a url" }, "channels.telegram.apiRoot: Invalid URL"],
      [
        { streamMode: "fast" },
        'channels.telegram.streamMode: Invalid option: expected one of "off"|"partial"|"block"',
      ],
      [
        { pollTimeoutSeconds: 51 },
        "channels.telegram.pollTimeoutSeconds: Too big: expected number to be <=50",
      ],
      [{ throttle: true }, "channels.telegram.throttle: Invalid input"],
      [{ throttle: { global: 5 } }, "channels.telegram.throttle: Invalid input"],
    ];
    for (const [block, message] of cases) {
      expect(() => telegram?.config.resolveAccount(block, "default")).toThrow(message);
      expect(telegram && zodMessage(telegram, block)).toBe(message);
    }
  });

  it("valid blocks resolve with their defaults; accounts override the top level", () => {
    const [telegram, discord, slack] = plugins;
    expect(
      telegram?.config.resolveAccount(
        {
          botToken: "top",
          apiRoot: " http://127.0.0.1:9/ ",
          throttle: false,
          accounts: { work: { botToken: "w" } },
        },
        "work",
      ),
    ).toEqual({
      accountId: "work",
      enabled: true,
      botToken: "w",
      apiRoot: "http://127.0.0.1:9",
      webhookPath: "/telegram-webhook",
      webhookHost: "127.0.0.1",
      webhookPort: 8787,
      streamMode: "off",
      pollTimeoutSeconds: 30,
      throttle: false,
    });
    expect(discord?.config.resolveAccount({ token: "t", apiBaseUrl: "http://x/api/" }, "default")).toEqual({
      accountId: "default",
      enabled: true,
      token: "t",
      apiBaseUrl: "http://x/api",
    });
    expect(
      slack?.config.resolveAccount({ botToken: "b", mode: "http", apiUrl: "http://x/api" }, "default"),
    ).toEqual({
      accountId: "default",
      enabled: true,
      botToken: "b",
      mode: "http",
      webhookPort: 3000,
      webhookPath: "/slack/events",
      apiUrl: "http://x/api/",
    });
  });
});
