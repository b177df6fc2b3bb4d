import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createMockProvider, MockLanguageModelV1, mockTextResponse } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { ianaZoneName, resolveHostTimezone } from "./host-timezone.js";

// The host's time zone for the system prompt is read from TZ and the system's files, the way ICU
// reads it, not from Intl, whose first DateTimeFormat pages in ~11 MB of ICU data and code. The
// rest of an ordinary turn uses no ICU service either (a Collator, behind localeCompare, is ~3 MB).

const RealDateTimeFormat = Intl.DateTimeFormat;
const INTL_SERVICES = [
  "DateTimeFormat",
  "Collator",
  "NumberFormat",
  "PluralRules",
  "RelativeTimeFormat",
  "ListFormat",
  "Segmenter",
  "DisplayNames",
] as const;
const LOCALE_METHODS: Array<[object, string, string]> = [
  [String.prototype, "String", "localeCompare"],
  [String.prototype, "String", "toLocaleLowerCase"],
  [String.prototype, "String", "toLocaleUpperCase"],
  [Date.prototype, "Date", "toLocaleString"],
  [Date.prototype, "Date", "toLocaleDateString"],
  [Date.prototype, "Date", "toLocaleTimeString"],
  [Number.prototype, "Number", "toLocaleString"],
];
/** Which ICU-backed services were used since the test began. */
let used: string[] = [];
const restore: Array<() => void> = [];
let dir: string;
let savedTz: string | undefined;

function countUses(): void {
  const intl = Intl as unknown as Record<string, unknown>;
  for (const name of INTL_SERVICES) {
    const real = intl[name] as new (...args: unknown[]) => unknown;
    intl[name] = new Proxy(real, {
      apply(target, self, args) {
        used.push(`Intl.${name}`);
        return Reflect.apply(target, self, args);
      },
      construct(target, args, newTarget) {
        used.push(`Intl.${name}`);
        return Reflect.construct(target, args, newTarget);
      },
    });
    restore.push(() => {
      intl[name] = real;
    });
  }
  for (const [proto, owner, name] of LOCALE_METHODS) {
    const methods = proto as Record<string, (...args: unknown[]) => unknown>;
    const real = methods[name]!;
    methods[name] = function (this: unknown, ...args: unknown[]) {
      used.push(`${owner}.${name}`);
      return real.apply(this, args);
    };
    restore.push(() => {
      methods[name] = real;
    });
  }
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-host-tz-"));
  used = [];
  savedTz = process.env.TZ;
  countUses();
});
afterEach(async () => {
  for (const undo of restore.splice(0)) undo();
  // (Node re-reads the zone when TZ changes: Intl follows it)
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
  await rm(dir, { recursive: true, force: true });
});

async function oneTurn(
  createAssistant: typeof import("../assistant.js").createAssistant,
  userTimezone: string | undefined,
): Promise<string> {
  const model = new MockLanguageModelV1({ provider: "mock", modelId: "a", script: mockTextResponse(["ok"]) });
  const assistant = createAssistant({
    config: {
      agents: {
        defaults: {
          workspace: path.join(dir, "workspace"),
          model: { primary: "mock/a", fallbacks: [] },
          ...(userTimezone ? { userTimezone } : {}),
        },
      },
    },
    providers: [createMockProvider({ id: "mock", models: { a: model } })],
    stateDir: path.join(dir, "state"),
    env: {},
  });
  try {
    for await (const event of assistant.send({ text: "hi" })) if (event.type === "error") throw event;
    return JSON.stringify(model.calls[0]);
  } finally {
    await assistant.close();
  }
}

describe("the host time zone in the system prompt", () => {
  it("is read without Intl by the first turn whose agent has no userTimezone, not when core loads", async () => {
    process.env.TZ = "America/New_York";
    // skills (the bundled ones too) and memory files: the turn lists both folders
    await mkdir(path.join(dir, "workspace", "memory"), { recursive: true });
    for (const day of ["2026-11-02", "2026-11-01", "2026-11-03"])
      await writeFile(path.join(dir, "workspace", "memory", `${day}.md`), `Notes of ${day}.\n`);
    // core's modules are imported here, after the counting stand-ins are installed
    const { createAssistant } = await import("../assistant.js");
    expect(used).toEqual([]);
    expect(await oneTurn(createAssistant, "Europe/Paris")).toContain("The user's timezone is Europe/Paris.");
    expect(await oneTurn(createAssistant, undefined)).toContain("The user's timezone is America/New_York.");
    // the session-start sync indexed the memory files
    expect(existsSync(path.join(dir, "state", "memory", "main.sqlite"))).toBe(true);
    expect(used).toEqual([]);
    // what Intl says of the same host
    expect(new RealDateTimeFormat().resolvedOptions().timeZone).toBe("America/New_York");
  });
});

/** A stand-in for /etc: `localtime` (a symlink to `target`, when given) and `timezone` (when given). */
async function fakeEtc(options: { target?: string; timezone?: string; copy?: boolean }) {
  const etc = path.join(dir, `etc-${Math.random().toString(36).slice(2)}`);
  await mkdir(etc, { recursive: true });
  const localtime = path.join(etc, "localtime");
  if (options.copy) await writeFile(localtime, "TZif2 not a link");
  else if (options.target) await symlink(options.target, localtime);
  if (options.timezone !== undefined) await writeFile(path.join(etc, "timezone"), options.timezone);
  let intlAsked = 0;
  return {
    sources: (env: NodeJS.ProcessEnv = {}) => ({
      env,
      localtime,
      timezoneFile: path.join(etc, "timezone"),
      intl: () => {
        intlAsked++;
        return "Intl/Answer";
      },
    }),
    intlAsked: () => intlAsked,
  };
}

describe("resolveHostTimezone", () => {
  it("takes TZ first: a name, a ':'-prefixed name, a path into zoneinfo, posix/ and right/ trees", async () => {
    const etc = await fakeEtc({ target: "/usr/share/zoneinfo/Asia/Tokyo" });
    const resolve = (TZ: string) => resolveHostTimezone(etc.sources({ TZ }));
    expect(resolve("Europe/Paris")).toBe("Europe/Paris");
    expect(resolve(":America/Argentina/Buenos_Aires")).toBe("America/Argentina/Buenos_Aires");
    expect(resolve(":/usr/share/zoneinfo/Europe/Berlin")).toBe("Europe/Berlin");
    expect(resolve("posix/Australia/Lord_Howe")).toBe("Australia/Lord_Howe");
    expect(resolve("right/America/Port-au-Prince")).toBe("America/Port-au-Prince");
    expect(resolve("Etc/GMT+5")).toBe("Etc/GMT+5");
    expect(resolve("EST5EDT")).toBe("EST5EDT");
    expect(etc.intlAsked()).toBe(0);
  });

  it("names every UTC alias UTC, as Intl does", async () => {
    const etc = await fakeEtc({});
    for (const TZ of ["UTC", "Etc/UTC", ":Etc/UTC", "GMT", "Etc/GMT", "Zulu", "Etc/Universal", "GMT0"])
      expect(resolveHostTimezone(etc.sources({ TZ }))).toBe("UTC");
    expect(resolveHostTimezone((await fakeEtc({ target: "/usr/share/zoneinfo/Etc/UTC" })).sources())).toBe(
      "UTC",
    );
  });

  it("skips a TZ that is a POSIX rule or not a zone name, and reads /etc/localtime's target", async () => {
    const etc = await fakeEtc({ target: "../usr/share/zoneinfo/Europe/Lisbon", timezone: "Asia/Seoul\n" });
    for (const TZ of [
      "CET-1CEST",
      "CET-1CEST,M3.5.0,M10.5.0/3",
      "JST-9",
      "",
      ":",
      "../../etc/passwd",
      "localtime",
    ])
      expect(resolveHostTimezone(etc.sources({ TZ }))).toBe("Europe/Lisbon");
    expect(etc.intlAsked()).toBe(0);
  });

  it("reads macOS's /var/db/timezone/zoneinfo link and drops posix/ in a link's target", async () => {
    const mac = await fakeEtc({ target: "/var/db/timezone/zoneinfo/America/Los_Angeles" });
    expect(resolveHostTimezone(mac.sources())).toBe("America/Los_Angeles");
    const posix = await fakeEtc({ target: "/usr/share/zoneinfo/posix/Africa/Abidjan" });
    expect(resolveHostTimezone(posix.sources())).toBe("Africa/Abidjan");
  });

  it("falls back to /etc/timezone when /etc/localtime is a copy, missing, or points elsewhere", async () => {
    const copy = await fakeEtc({ copy: true, timezone: "Europe/Vienna\n" });
    expect(resolveHostTimezone(copy.sources())).toBe("Europe/Vienna");
    const missing = await fakeEtc({ timezone: "  Pacific/Auckland  \n" });
    expect(resolveHostTimezone(missing.sources())).toBe("Pacific/Auckland");
    const elsewhere = await fakeEtc({ target: "/opt/zones/Paris", timezone: "Europe/Paris" });
    expect(resolveHostTimezone(elsewhere.sources())).toBe("Europe/Paris");
    const traversal = await fakeEtc({
      target: "/usr/share/zoneinfo/../../../etc/passwd",
      timezone: "Asia/Dubai",
    });
    expect(resolveHostTimezone(traversal.sources())).toBe("Asia/Dubai");
  });

  it("asks Intl only when nothing on the host names a zone", async () => {
    const none = await fakeEtc({});
    expect(resolveHostTimezone(none.sources())).toBe("Intl/Answer");
    const garbage = await fakeEtc({ copy: true, timezone: "../../secret" });
    expect(resolveHostTimezone(garbage.sources({ TZ: "CET-1CEST" }))).toBe("Intl/Answer");
    expect(garbage.intlAsked()).toBe(1);
  });

  it("names the zone Intl names on this machine (default sources; several TZ values)", () => {
    const intl = () => new RealDateTimeFormat().resolvedOptions().timeZone;
    // Intl canonicalizes links (Asia/Kolkata → Asia/Calcutta): compare what each name means to it
    const meaning = (zone: string) =>
      new RealDateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
    delete process.env.TZ;
    expect(meaning(resolveHostTimezone())).toBe(intl());
    for (const TZ of [
      "Europe/Paris",
      ":Asia/Tokyo",
      "UTC",
      "Etc/UTC",
      "America/Argentina/Salta",
      "Etc/GMT+5",
    ]) {
      process.env.TZ = TZ;
      expect(resolveHostTimezone()).toBe(intl());
    }
  });
});

describe("ianaZoneName", () => {
  it("accepts tz database names and refuses paths, rules and odd characters", () => {
    expect(ianaZoneName("America/Indiana/Knox")).toBe("America/Indiana/Knox");
    expect(ianaZoneName("Europe/Kyiv")).toBe("Europe/Kyiv");
    for (const bad of [
      "/etc/passwd",
      "Europe/../../etc",
      "Europe//Paris",
      "Europe/Paris/",
      "europe/paris",
      "Europe/Pa ris",
      "Europe/Paris\u0000",
      "A/B/C/D",
      "PST8",
      "X".repeat(40),
    ])
      expect(ianaZoneName(bad)).toBeUndefined();
  });
});
