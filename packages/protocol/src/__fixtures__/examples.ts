// One valid params/result example per method and one payload per event, shaped after OpenClaw's
// documented fields (captures cover only part of the surface). Used by the round-trip tests.
import type { EventName, EventPayload } from "../events.js";
import type { MethodName, MethodParams, MethodResult } from "../methods.js";

type MethodExamples = { [M in MethodName]: { params: MethodParams<M>; result: MethodResult<M> } };

const ts = 1_795_257_055_146;
const device = {
  deviceId: "0bb65b41a284f5f0a37a382423202f66374263e6fdc782d087f7c6bab3720c52",
  publicKey: "Gw4YEU5fAirJNHYq_K6p39Pr5UCbVQFA0Hhj6X4IpiA",
  displayName: "laptop",
  platform: "linux",
  clientId: "cli",
  clientMode: "cli",
  role: "operator",
  scopes: ["operator.read"],
  tokens: [{ role: "operator", scopes: ["operator.read"], createdAtMs: ts }],
  createdAtMs: ts,
  approvedAtMs: ts,
};
const node = { nodeId: "node-1", displayName: "mac mini", platform: "darwin", caps: ["camera"], commands: ["system.run"] };
const job = {
  id: "job-1",
  name: "morning brief",
  enabled: true,
  schedule: { kind: "cron" as const, expr: "0 8 * * *", tz: "Europe/Paris" },
  sessionTarget: "isolated" as const,
  wakeMode: "now" as const,
  payload: { kind: "agentTurn" as const, message: "Summarise my day", deliver: true, channel: "telegram" },
  delivery: { mode: "announce" as const, channel: "last" },
  createdAtMs: ts,
  updatedAtMs: ts,
  state: { nextRunAtMs: ts + 60_000, consecutiveErrors: 0 },
};
const approvalsFile = {
  version: 1 as const,
  defaults: { security: "allowlist" as const, ask: "on-miss" as const },
  agents: { main: { allowlist: [{ id: "a1", pattern: "/usr/bin/git" }] } },
};
const approvalEntry = {
  id: "appr-1",
  request: { command: "git status", cwd: "/work", host: "gateway", agentId: "main" },
  createdAtMs: ts,
  expiresAtMs: ts + 120_000,
};

export const METHOD_EXAMPLES: MethodExamples = {
  health: { params: {}, result: { ok: true, ts, durationMs: 3, channels: {}, channelOrder: [], channelLabels: {} } },
  status: {
    params: { includeChannelSummary: false, includeCliProjection: true },
    result: { runtimeVersion: "0.1.0", channelSummary: [], queuedSystemEvents: [] },
  },
  "usage.status": {
    params: {},
    result: { updatedAt: ts, providers: [{ provider: "openai", displayName: "OpenAI", windows: [] }] },
  },
  "logs.tail": {
    params: { cursor: 0, limit: 100 },
    result: { file: "/tmp/openclaw/openclaw-2026-11-21.log", cursor: 120, size: 120, lines: ['{"level":30}'] },
  },
  "system-presence": { params: {}, result: [{ host: "vm", mode: "gateway", reason: "self", ts }] },
  "system-event": { params: { text: "Node connected", mode: "node" }, result: { ok: true } },
  "last-heartbeat": { params: {}, result: { ts, status: "ok-token", durationMs: 900 } },
  "set-heartbeats": { params: { enabled: false }, result: { ok: true, enabled: false } },
  wake: { params: { mode: "now", text: "check mail" }, result: { ok: true } },
  "models.list": {
    params: { view: "configured" },
    result: { models: [{ id: "claude-sonnet-4-5", provider: "anthropic", contextWindow: 200_000, reasoning: true }] },
  },
  "channels.status": {
    params: { probe: true, timeoutMs: 5_000 },
    result: {
      ts,
      channelOrder: ["telegram"],
      channelLabels: { telegram: "Telegram" },
      channels: { telegram: { configured: true } },
      channelAccounts: { telegram: [{ accountId: "default", running: true, connected: true, lastError: null }] },
    },
  },
  "channels.logout": { params: { channel: "telegram" }, result: { channel: "telegram", cleared: true } },
  "web.login.start": {
    params: { timeoutMs: 30000 },
    result: { qrDataUrl: "data:image/png;base64,iVBORw0KGgo=", message: "Scan this QR in WhatsApp → Settings → Linked devices → Link a device." },
  },
  "web.login.wait": { params: { timeoutMs: 120000 }, result: { connected: true, message: "linked as +15550001111" } },
  "channels.pairing.list": {
    params: { channel: "telegram" },
    result: {
      requests: [
        { channel: "telegram", id: "123456789", code: "K7QX2M9P", createdAt: "2026-01-01T10:00:00.000Z", meta: { username: "ada" } },
      ],
    },
  },
  "channels.pairing.approve": {
    params: { channel: "telegram", code: "K7QX2M9P" },
    result: { ok: true, request: { channel: "telegram", id: "123456789", code: "K7QX2M9P", createdAt: "2026-01-01T10:00:00.000Z" } },
  },
  "channels.pairing.dismiss": { params: { channel: "telegram", code: "K7QX2M9P" }, result: { ok: true, removed: true } },
  "config.get": {
    params: {},
    result: { path: "/home/u/.openclaw/openclaw.json", exists: true, raw: "{}", config: {}, valid: true, hash: "h1" },
  },
  "config.set": { params: { raw: "{ agents: {} }", baseHash: "h1" }, result: { ok: true, path: "/x.json", hash: "h2" } },
  "config.patch": {
    params: { raw: '{"gateway":{"port":18790}}', baseHash: "h1", restartDelayMs: 2_000 },
    result: { ok: true, path: "/x.json", hash: "h2", restart: { scheduled: true, delayMs: 2_000 } },
  },
  "config.apply": { params: { raw: "{}", sessionKey: "agent:main:main" }, result: { ok: true, path: "/x.json" } },
  "config.schema": { params: {}, result: { schema: { type: "object" }, uiHints: {}, version: "0.1.0" } },
  "sessions.list": {
    params: { limit: 20, includeLastMessage: true },
    result: { ts, path: "(multiple)", count: 1, sessions: [{ key: "agent:main:main", sessionId: "s1", updatedAt: ts }] },
  },
  "sessions.preview": {
    params: { keys: ["agent:main:main"], limit: 3 },
    result: { ts, previews: [{ key: "agent:main:main", status: "ok", items: [{ role: "user", text: "hi" }] }] },
  },
  "sessions.messages.subscribe": {
    params: { key: "agent:main:main" },
    result: { subscribed: true, key: "agent:main:main" },
  },
  "sessions.messages.unsubscribe": {
    params: { key: "agent:main:main" },
    result: { subscribed: false, key: "agent:main:main" },
  },
  "sessions.patch": {
    params: { key: "agent:main:main", model: "anthropic/claude-sonnet-4-5", label: null },
    result: { ok: true, key: "agent:main:main", entry: { model: "anthropic/claude-sonnet-4-5" } },
  },
  "sessions.reset": {
    params: { key: "agent:main:main", reason: "new" },
    result: { ok: true, key: "agent:main:main", sessionId: "s2", previousSessionId: "s1" },
  },
  "sessions.delete": {
    params: { key: "agent:main:dm:42", deleteTranscript: true },
    result: { ok: true, key: "agent:main:dm:42", deleted: true },
  },
  "sessions.compact": {
    params: { key: "agent:main:main", maxLines: 400 },
    result: { ok: true, key: "agent:main:main", compacted: true, kept: 400 },
  },
  "chat.send": {
    params: { sessionKey: "agent:main:main", message: "hello", idempotencyKey: "k1" },
    result: { runId: "k1", status: "started" },
  },
  "chat.history": {
    params: { sessionKey: "agent:main:main", limit: 50 },
    result: { sessionKey: "agent:main:main", sessionId: "s1", messages: [{ role: "user", content: "hi" }] },
  },
  "chat.abort": { params: { sessionKey: "agent:main:main" }, result: { ok: true, aborted: true, runIds: ["k1"] } },
  "chat.inject": {
    params: { sessionKey: "agent:main:main", message: "Note: deploy done", label: "deploy" },
    result: { ok: true, messageId: "m1" },
  },
  agent: {
    params: { message: "ping", agentId: "main", deliver: false, idempotencyKey: "k2" },
    result: { runId: "k2", status: "accepted", acceptedAt: ts },
  },
  "agents.list": {
    params: {},
    result: {
      defaultId: "main",
      mainKey: "main",
      scope: "per-sender",
      agents: [{ id: "main", model: { primary: "openai/gpt-4o" } }, { id: "work", name: "Work" }],
    },
  },
  "agent.identity.get": {
    params: { agentId: "main" },
    result: { agentId: "main", name: "Assistant", nameSource: "default", avatar: "A" },
  },
  "agent.wait": { params: { runId: "k2", timeoutMs: 30_000 }, result: { status: "ok", startedAt: ts, endedAt: ts + 900 } },
  send: {
    params: { to: "+33600000000", message: "hi", channel: "whatsapp", idempotencyKey: "k3" },
    result: { messageId: "wamid.1", channel: "whatsapp" },
  },
  "device.pair.list": {
    params: {},
    result: { pending: [{ requestId: "req-1", deviceId: device.deviceId, publicKey: device.publicKey, ts }], paired: [device] },
  },
  "device.pair.approve": { params: { requestId: "req-1" }, result: { requestId: "req-1", device } },
  "device.pair.reject": { params: { requestId: "req-1" }, result: { requestId: "req-1", deviceId: device.deviceId } },
  "device.pair.remove": { params: { deviceId: device.deviceId }, result: { deviceId: device.deviceId, removed: true } },
  "device.token.rotate": {
    params: { deviceId: device.deviceId, role: "operator" },
    result: { deviceId: device.deviceId, role: "operator", token: "t2", scopes: ["operator.read"], rotatedAtMs: ts },
  },
  "device.token.revoke": {
    params: { deviceId: device.deviceId, role: "operator" },
    result: { deviceId: device.deviceId, role: "operator", revokedAtMs: ts },
  },
  "node.pair.request": {
    params: { ...node, version: "0.1.0" },
    result: { status: "pending", request: { requestId: "nreq-1", ...node, ts }, created: true },
  },
  "node.pair.list": {
    params: {},
    result: { pending: [], paired: [{ ...node, createdAtMs: ts, approvedAtMs: ts }] },
  },
  "node.pair.approve": {
    params: { requestId: "nreq-1" },
    result: { requestId: "nreq-1", node: { ...node, createdAtMs: ts, approvedAtMs: ts } },
  },
  "node.pair.reject": { params: { requestId: "nreq-1" }, result: { requestId: "nreq-1", nodeId: "node-1" } },
  "node.pair.remove": { params: { nodeId: "node-1" }, result: { nodeId: "node-1", removed: true } },
  "node.pair.verify": { params: { nodeId: "node-1", token: "nt" }, result: { ok: true } },
  "node.list": { params: {}, result: { ts, nodes: [{ ...node, paired: true, connected: true }] } },
  "node.describe": { params: { nodeId: "node-1" }, result: { ...node, connected: false } },
  "node.rename": { params: { nodeId: "node-1", displayName: "studio" }, result: { nodeId: "node-1", displayName: "studio" } },
  "node.invoke": {
    params: { nodeId: "node-1", command: "system.run", params: { command: ["uname", "-a"] }, idempotencyKey: "k4" },
    result: { ok: true, nodeId: "node-1", command: "system.run", payload: { stdout: "Darwin", exitCode: 0 } },
  },
  "node.invoke.result": {
    params: { id: "inv-1", nodeId: "node-1", ok: false, error: { code: "SYSTEM_RUN_DENIED", message: "denied" } },
    result: { ok: true },
  },
  "node.event": { params: { event: "exec.finished", payloadJSON: '{"exitCode":0}' }, result: { ok: true } },
  "node.pending.pull": {
    params: { limit: 10 },
    result: { items: [{ id: "inv-2", command: "camera.snap", paramsJSON: null, enqueuedAtMs: ts }] },
  },
  "node.pending.ack": { params: { ids: ["inv-2"] }, result: { ok: true, acked: 1 } },
  "exec.approvals.get": { params: {}, result: { path: "/x/exec-approvals.json", exists: true, hash: "e1", file: approvalsFile } },
  "exec.approvals.set": {
    params: { file: approvalsFile, baseHash: "e1" },
    result: { path: "/x/exec-approvals.json", exists: true, hash: "e2", file: approvalsFile },
  },
  "exec.approvals.node.get": {
    params: { nodeId: "node-1" },
    result: { path: "~/.openclaw/exec-approvals.json", exists: false, hash: "e0", file: { version: 1 } },
  },
  "exec.approvals.node.set": {
    params: { nodeId: "node-1", file: approvalsFile },
    result: { path: "~/.openclaw/exec-approvals.json", exists: true, hash: "e3", file: approvalsFile },
  },
  "exec.approval.request": {
    params: { command: "rm -rf build", cwd: "/work", nodeId: "node-1", timeoutMs: 120_000, twoPhase: true },
    result: { id: "appr-1", status: "accepted", decision: null, expiresAtMs: ts + 120_000 },
  },
  "exec.approval.waitDecision": { params: { id: "appr-1" }, result: { id: "appr-1", decision: "allow-once" } },
  "exec.approval.resolve": { params: { id: "appr-1", decision: "deny" }, result: { ok: true } },
  "exec.approval.get": { params: { id: "appr-1" }, result: approvalEntry },
  "exec.approval.list": { params: {}, result: { approvals: [approvalEntry] } },
  "cron.list": { params: { includeDisabled: true }, result: { jobs: [job] } },
  "cron.status": { params: {}, result: { enabled: true, jobs: 1, nextWakeAtMs: ts + 60_000 } },
  "cron.add": {
    params: {
      name: "reminder",
      schedule: { kind: "at", at: "2026-11-22T08:00:00Z" },
      sessionTarget: "main",
      wakeMode: "next-heartbeat",
      payload: { kind: "systemEvent", text: "Call the dentist" },
      deleteAfterRun: true,
    },
    result: job,
  },
  "cron.update": { params: { id: "job-1", patch: { enabled: false } }, result: { ...job, enabled: false } },
  "cron.remove": { params: { jobId: "job-1" }, result: { ok: true, removed: true } },
  "cron.run": { params: { id: "job-1", mode: "force" }, result: { ok: true, ran: true } },
  "cron.runs": {
    params: { id: "job-1", limit: 20 },
    result: { entries: [{ ts, jobId: "job-1", action: "finished", status: "ok", durationMs: 1200, summary: "sent" }] },
  },
  "doctor.memory.status": {
    params: { agentId: "main", probe: false },
    result: {
      agentId: "main",
      provider: "openai",
      model: "text-embedding-3-small",
      embedding: { ok: true, checked: false },
      index: {
        dbPath: "/home/me/.openclaw/memory/main.sqlite",
        dbBytes: 81_920,
        workspaceDir: "/home/me/.openclaw/workspace",
        files: 12,
        chunks: 48,
        embedded: 48,
        cacheEntries: 48,
        dirty: false,
        lastSyncAt: ts,
        fts: true,
        vector: { mode: "sqlite-vec" },
        sources: ["memory"],
        extraPaths: [],
      },
    },
  },
  "skills.status": {
    params: { agentId: "main" },
    result: {
      workspaceDir: "/home/me/.openclaw/workspace",
      managedSkillsDir: "/home/me/.openclaw/skills",
      skills: [
        {
          name: "weather",
          description: "Current weather and a short forecast for a place.",
          source: "openclaw-bundled",
          bundled: true,
          filePath: "/usr/lib/node_modules/@openclaw/core/skills/weather/SKILL.md",
          baseDir: "/usr/lib/node_modules/@openclaw/core/skills/weather",
          skillKey: "weather",
          emoji: "🌤️",
          always: false,
          disabled: false,
          blockedByAllowlist: false,
          blockedByAgentFilter: false,
          eligible: true,
          platformIncompatible: false,
          modelVisible: true,
          userInvocable: true,
          commandVisible: true,
          requirements: { bins: ["curl"], anyBins: [], env: [], config: [], os: [] },
          missing: { bins: [], anyBins: [], env: [], config: [], os: [] },
          configChecks: [],
          install: [],
        },
      ],
    },
  },
  "skills.bins": { params: {}, result: { bins: ["curl", "git"] } },
};

export const EVENT_EXAMPLES: { [E in EventName]: EventPayload<E> } = {
  "connect.challenge": { nonce: "04f6019e-5f43-4510-9e1f-11e38063a547", ts },
  tick: { ts },
  shutdown: { reason: "SIGTERM", restartExpectedMs: 2_000 },
  presence: { presence: [{ host: "vm", mode: "gateway", ts }] },
  health: { ok: true, ts },
  heartbeat: { ts, status: "sent", to: "telegram:42", preview: "You have 2 meetings" },
  agent: { runId: "k2", seq: 3, stream: "tool", ts, data: { phase: "start", name: "exec", toolCallId: "t1" } },
  chat: { runId: "k1", sessionKey: "agent:main:main", seq: 2, state: "error", errorMessage: "rate limited", errorKind: "rate_limit" },
  cron: { jobId: "job-1", action: "finished", status: "ok", durationMs: 1_200 },
  "talk.mode": { enabled: true, phase: "listening" },
  "voicewake.changed": { triggers: ["hey claw"] },
  "update.available": { currentVersion: "0.1.0", latestVersion: "0.2.0", channel: "stable" },
  "node.pair.requested": { requestId: "nreq-1", ...node, ts },
  "node.pair.resolved": { requestId: "nreq-1", nodeId: "node-1", decision: "approved", ts },
  "node.invoke.request": { id: "inv-1", nodeId: "node-1", command: "system.run", paramsJSON: '{"command":["ls"]}', timeoutMs: 30_000 },
  "device.pair.requested": { requestId: "req-1", deviceId: device.deviceId, publicKey: device.publicKey, remoteIp: "192.168.1.20", ts },
  "device.pair.resolved": { requestId: "req-1", deviceId: device.deviceId, decision: "rejected", ts },
  "exec.approval.requested": approvalEntry,
  "exec.approval.resolved": { id: "appr-1", decision: "allow-always", resolvedBy: "cli", ts },
};
