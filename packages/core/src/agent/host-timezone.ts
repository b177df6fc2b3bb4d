import { readFileSync, readlinkSync } from "node:fs";

/**
 * The host's IANA time zone for the system prompt, read the way ICU reads it on Unix, without
 * Intl: the first `Intl.DateTimeFormat` of a process pages in ICU's date-format data and code
 * (~5.6 MB resident in the gateway), and the prompt only needs the zone's name.
 *
 * In order: `TZ` (an IANA name, optionally `:`-prefixed, or a path into a zoneinfo folder; a
 * POSIX rule such as `CET-1CEST` is not a name and is skipped, as ICU does), the target of the
 * `/etc/localtime` symlink (`…/zoneinfo/<Area>/<City>`, macOS's `/var/db/timezone/zoneinfo/…`
 * too), `/etc/timezone` (Debian), and only then Intl. The UTC aliases (`Etc/UTC`, `GMT`,
 * `Zulu`, …) are named `UTC`, as Intl names them; other links keep the name the host gives
 * (Intl would canonicalize `US/Pacific` to `America/Los_Angeles`: both are IANA names).
 */
export interface HostTimezoneSources {
  env?: NodeJS.ProcessEnv;
  /** The symlink naming the local zone (default `/etc/localtime`). */
  localtime?: string;
  /** Debian's one-line zone file (default `/etc/timezone`). */
  timezoneFile?: string;
  /** The last resort (default: Intl's answer). */
  intl?: () => string;
}

/** Names Intl reports as `UTC` (V8 canonicalizes every UTC/GMT alias of the tz database to it). */
const UTC_ALIASES = new Set(
  [
    "UTC",
    "UCT",
    "GMT",
    "GMT0",
    "GMT+0",
    "GMT-0",
    "Greenwich",
    "Universal",
    "Zulu",
    "Etc/UTC",
    "Etc/UCT",
    "Etc/GMT",
    "Etc/GMT0",
    "Etc/GMT+0",
    "Etc/GMT-0",
    "Etc/Greenwich",
    "Etc/Universal",
    "Etc/Zulu",
  ].map((name) => name.toLowerCase()),
);
/** Single-word zone names with digits (the rest of a digit-bearing single word is a POSIX rule). */
const LEGACY_WITH_DIGITS = new Set(["EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT", "GMT0", "GMT+0", "GMT-0"]);
/**
 * One component of a tz database name: `America`, `Port_of_Spain`, `GMT+5`, `Ust-Nera` (each
 * starts with a capital letter, which also keeps out `localtime`, `posixrules`, `zone.tab`).
 */
const COMPONENT = /^[A-Z][A-Za-z0-9_+-]{0,29}$/;
/** Folders of a zoneinfo tree that hold a second copy of the zones, not an Area. */
const TREE_PREFIXES = ["posix/", "right/"];

/**
 * The name if `value` has the shape of a tz database name (1–3 components, no `.`/`..`, no
 * empty part, plausible characters), normalized (`posix/` and `right/` dropped, UTC aliases →
 * `UTC`); undefined otherwise (a POSIX rule, a path, garbage).
 */
export function ianaZoneName(value: string | undefined): string | undefined {
  let name = value?.trim();
  if (!name) return undefined;
  for (const prefix of TREE_PREFIXES) if (name.startsWith(prefix)) name = name.slice(prefix.length);
  const parts = name.split("/");
  if (parts.length > 3 || !parts.every((part) => COMPONENT.test(part))) return undefined;
  if (parts.length === 1 && /\d/.test(name) && !LEGACY_WITH_DIGITS.has(name)) return undefined;
  return UTC_ALIASES.has(name.toLowerCase()) ? "UTC" : name;
}

/** The zone named by a path into a zoneinfo tree (`/usr/share/zoneinfo/Europe/Paris` → `Europe/Paris`). */
function zoneFromPath(target: string): string | undefined {
  const marker = "/zoneinfo/";
  const at = target.lastIndexOf(marker);
  return at < 0 ? undefined : ianaZoneName(target.slice(at + marker.length));
}

/** `TZ` as ICU reads it: `:Europe/Paris`, `Europe/Paris`, `:/usr/share/zoneinfo/Europe/Paris`. */
function zoneFromTzVariable(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const name = value.startsWith(":") ? value.slice(1) : value;
  return name.startsWith("/") ? zoneFromPath(name) : ianaZoneName(name);
}

function tryRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** The host's IANA time zone (see {@link HostTimezoneSources} for where it is read). */
export function resolveHostTimezone(sources: HostTimezoneSources = {}): string {
  const env = sources.env ?? process.env;
  const fromTz = zoneFromTzVariable(env.TZ);
  if (fromTz) return fromTz;
  const link = tryRead(() => readlinkSync(sources.localtime ?? "/etc/localtime"));
  const fromLink = link ? zoneFromPath(link) : undefined;
  if (fromLink) return fromLink;
  const file = tryRead(() => readFileSync(sources.timezoneFile ?? "/etc/timezone", "utf8"));
  const fromFile = ianaZoneName(file?.split("\n")[0]);
  if (fromFile) return fromFile;
  return (sources.intl ?? (() => Intl.DateTimeFormat().resolvedOptions().timeZone))();
}
