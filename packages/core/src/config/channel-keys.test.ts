import { describe, expect, it } from "vitest";
import { openClawConfigSchema } from "./schema.js";

describe("config schema: keys of the WhatsApp, Signal, Matrix and Mattermost channels", () => {
  it("accepts the documented keys, per account too", () => {
    const parsed = openClawConfigSchema.safeParse({
      channels: {
        whatsapp: {
          allowFrom: ["+15551234567"],
          sendPacingMs: 1000,
          sendReadReceipts: false,
          typing: true,
          mediaMaxMb: 20,
        },
        signal: {
          account: "+15550001111",
          httpUrl: "http://127.0.0.1:8080",
          cliPath: "/usr/bin/signal-cli",
          httpPort: 8080,
        },
        matrix: {
          homeserver: "https://matrix.example.org",
          accessToken: "syt_x",
          autoJoin: true,
          syncTimeoutMs: 30000,
        },
        mattermost: {
          baseUrl: "https://chat.example.com",
          botToken: "x",
          accounts: { work: { baseUrl: "https://w.example" } },
        },
      },
    });
    expect(parsed.success).toBe(true);
  });

  it("refuses a wrong type with the key's path", () => {
    const parsed = openClawConfigSchema.safeParse({
      channels: { whatsapp: { sendPacingMs: "fast" }, signal: { accounts: { two: { httpPort: 70000 } } } },
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((issue) => issue.path.join("."));
    expect(paths).toEqual(
      expect.arrayContaining(["channels.whatsapp.sendPacingMs", "channels.signal.accounts.two.httpPort"]),
    );
  });
});
