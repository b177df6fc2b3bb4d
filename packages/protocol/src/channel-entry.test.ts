import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { staticGraph } from "../../../scripts/import-graph.js";
import * as channel from "./channel-entry.js";
import * as all from "./index.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("@openclaw/protocol/channel", () => {
  it("never reaches zod through a value import", () => {
    const graph = staticGraph(join(here, "channel-entry.ts"));
    expect([...graph.packages].filter((name) => name === "zod" || name.startsWith("zod/"))).toEqual([]);
    expect([...graph.files].map((file) => file.slice(here.length + 1)).sort()).toEqual([
      "channel-entry.ts",
      "channel/channel-error.ts",
      "channel/chat-types.ts",
      "channel/config-shape.ts",
      "channel/formatted-text-render.ts",
      "channel/inbound-check.ts",
      "channel/library-console.ts",
      "channel/media-download.ts",
      "channel/plugin-v1.ts",
    ]);
  });

  it("exports the very same values as the main entry", () => {
    const exported = Object.entries(channel);
    expect(exported.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        "ChannelError",
        "isChannelPluginV1",
        "renderFormattedText",
        "escapeHtml",
        "CHAT_TYPES",
        "checkInboundMessage",
      ]),
    );
    const main = new Map(Object.entries(all));
    // Node-only (wraps the process console), so kept out of the main entry that browsers load too
    const nodeOnly = new Set(["routeLibraryConsole"]);
    for (const [name, value] of exported) if (!nodeOnly.has(name)) expect(main.get(name), name).toBe(value);
    expect([...nodeOnly].filter((name) => main.has(name))).toEqual([]);
  });

  it("renders the IR as the main entry documents it", () => {
    const html = channel.renderFormattedText(
      { text: "a <b> c", spans: [{ style: "bold", start: 2, end: 5 }] },
      () => ({ open: "<b>", close: "</b>" }),
      channel.escapeHtml,
    );
    expect(html).toBe("a <b>&lt;b&gt;</b> c");
  });
});
