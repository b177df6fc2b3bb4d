/**
 * What an exec-approvals policy says about one command: the shell text is split into segments
 * (`;`, `&&`, `||`, `|`, `&`, newlines outside quotes), each segment's program is resolved to a
 * binary path, and the policy (`security` deny | allowlist | full, `ask` off | on-miss | always)
 * decides allow, ask or deny. Pure: binary resolution is passed in.
 */

export type ExecSecurity = "deny" | "allowlist" | "full";
export type ExecAsk = "off" | "on-miss" | "always";

export const SECURITY_ORDER: readonly ExecSecurity[] = ["deny", "allowlist", "full"];
export const ASK_ORDER: readonly ExecAsk[] = ["off", "on-miss", "always"];

/** Stdin-only filters allowed without an allowlist entry when they name no file. */
export const DEFAULT_SAFE_BINS: readonly string[] = ["cut", "uniq", "head", "tail", "tr", "wc"];

export interface ExecPolicy {
  security: ExecSecurity;
  ask: ExecAsk;
  askFallback: ExecSecurity;
  /** Case-insensitive globs over resolved binary paths (`*` within a path segment, `**` across). */
  allowlist: string[];
  safeBins: readonly string[];
}

export interface CommandSegment {
  /** The words of the segment, quotes removed. */
  argv: string[];
  /** The text of the segment as written. */
  text: string;
}

export type CommandAnalysis =
  | { ok: true; segments: CommandSegment[] }
  /** A construct allowlist mode refuses: redirection, substitution, expansion, subshell. */
  | { ok: false; reason: string };

const OPERATORS = ["&&", "||", ";", "|", "&", "\n"];

/**
 * Split shell text into segments. Refuses (ok: false) what an allowlisted binary could be used to
 * smuggle: `$(…)`, backticks, `$VAR`/`${…}` expansion, redirections (`>`, `<`), process
 * substitution, subshells and groups, and leading `VAR=value` assignments.
 */
export function analyzeShellCommand(text: string): CommandAnalysis {
  const segments: CommandSegment[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let start = 0;
  let quote: "'" | '"' | undefined;
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endSegment = (end: number) => {
    endWord();
    if (words.length) segments.push({ argv: words, text: text.slice(start, end).trim() });
    words = [];
  };
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
      continue;
    }
    if (char === "`") return { ok: false, reason: "command substitution (backticks) is not allowed" };
    if (char === "$") {
      const next = text[i + 1];
      if (next === "(") return { ok: false, reason: "command substitution $(…) is not allowed" };
      if (next !== undefined && /[A-Za-z_{0-9@*#?$!-]/.test(next))
        return { ok: false, reason: "shell expansion ($…) is not allowed" };
    }
    if (char === "\\") {
      const next = text[i + 1];
      if (next === undefined) return { ok: false, reason: "dangling backslash" };
      if (next !== "\n") word = (word ?? "") + next;
      i += 1;
      continue;
    }
    if (quote === '"') {
      if (char === '"') quote = undefined;
      else word += char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      word ??= "";
      continue;
    }
    if (char === ">" || char === "<") return { ok: false, reason: "redirection is not allowed" };
    if (char === "(" || char === ")" || char === "{" || char === "}")
      return { ok: false, reason: "subshells and command groups are not allowed" };
    const operator = OPERATORS.find((op) => text.startsWith(op, i));
    if (operator) {
      endSegment(i);
      i += operator.length - 1;
      start = i + 1;
      continue;
    }
    if (char === " " || char === "\t") {
      endWord();
      continue;
    }
    word = (word ?? "") + char;
  }
  if (quote) return { ok: false, reason: "unterminated quote" };
  endSegment(text.length);
  if (!segments.length) return { ok: false, reason: "empty command" };
  for (const segment of segments) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(segment.argv[0]!))
      return { ok: false, reason: "leading environment assignments are not allowed" };
  }
  return { ok: true, segments };
}

/** `argv` run without a shell: one segment, nothing to expand. */
export function analyzeArgv(argv: string[]): CommandAnalysis {
  if (!argv.length || !argv[0]) return { ok: false, reason: "empty command" };
  return { ok: true, segments: [{ argv, text: argv.join(" ") }] };
}

/** Case-insensitive glob over a path: `*` and `?` stay within a segment, `**` crosses `/`. */
export function globMatches(pattern: string, path: string, home?: string): boolean {
  const expanded = home && (pattern === "~" || pattern.startsWith("~/")) ? home + pattern.slice(1) : pattern;
  let source = "";
  for (let i = 0; i < expanded.length; i += 1) {
    const char = expanded[i]!;
    if (char === "*" && expanded[i + 1] === "*") {
      source += ".*";
      i += 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "i").test(path);
}

export interface SegmentVerdict {
  segment: CommandSegment;
  /** Absolute path of the program, when it was found. */
  resolvedPath?: string;
  /** The allowlist pattern that matched, or `safeBins`. */
  matchedBy?: string;
}

export type ExecDecision =
  | { decision: "allow"; segments: SegmentVerdict[] }
  | { decision: "ask"; segments: SegmentVerdict[]; reason: string }
  | { decision: "deny"; segments: SegmentVerdict[]; code: "security" | "allowlist-miss"; reason: string };

/** The policy's answer for an analyzed command. `resolve` finds a program's absolute path. */
export function decideExec(
  analysis: CommandAnalysis,
  policy: ExecPolicy,
  resolve: (program: string) => string | undefined,
  home?: string,
): ExecDecision {
  if (policy.security === "deny")
    return { decision: "deny", segments: [], code: "security", reason: "security=deny" };
  if (!analysis.ok) {
    if (policy.security === "full" && policy.ask !== "always") return { decision: "allow", segments: [] };
    return policy.ask === "off"
      ? {
          decision: "deny",
          segments: [],
          code: "allowlist-miss",
          reason: `allowlist miss (${analysis.reason})`,
        }
      : { decision: "ask", segments: [], reason: analysis.reason };
  }
  const verdicts: SegmentVerdict[] = analysis.segments.map((segment) => {
    const program = segment.argv[0]!;
    const resolvedPath = resolve(program);
    const verdict: SegmentVerdict = { segment, ...(resolvedPath ? { resolvedPath } : {}) };
    if (!resolvedPath) return verdict;
    const pattern = policy.allowlist.find((candidate) => globMatches(candidate, resolvedPath, home));
    if (pattern) return { ...verdict, matchedBy: pattern };
    const base = resolvedPath.split("/").pop() ?? "";
    const namesNoFile = segment.argv.slice(1).every((arg) => !arg.includes("/"));
    if (policy.safeBins.includes(base) && namesNoFile) return { ...verdict, matchedBy: "safeBins" };
    return verdict;
  });
  if (policy.ask === "always") return { decision: "ask", segments: verdicts, reason: "ask=always" };
  if (policy.security === "full") return { decision: "allow", segments: verdicts };
  const miss = verdicts.find((verdict) => !verdict.matchedBy);
  if (!miss) return { decision: "allow", segments: verdicts };
  const what = miss.resolvedPath ?? `${miss.segment.argv[0]} (not found)`;
  if (policy.ask === "on-miss")
    return { decision: "ask", segments: verdicts, reason: `allowlist miss (${what})` };
  return { decision: "deny", segments: verdicts, code: "allowlist-miss", reason: `allowlist miss (${what})` };
}

/** The stricter of two security levels (deny < allowlist < full). */
export function stricterSecurity(a: ExecSecurity, b: ExecSecurity | undefined): ExecSecurity {
  if (!b) return a;
  return SECURITY_ORDER.indexOf(a) <= SECURITY_ORDER.indexOf(b) ? a : b;
}

/** The stricter of two ask modes (always > on-miss > off). */
export function stricterAsk(a: ExecAsk, b: ExecAsk | undefined): ExecAsk {
  if (!b) return a;
  return ASK_ORDER.indexOf(a) >= ASK_ORDER.indexOf(b) ? a : b;
}
