import { join } from "node:path";
import { fail, get, localPaths, print, readLocalConfig } from "./gateway-local.js";

type Security = "deny" | "allowlist" | "full";
type Ask = "off" | "on-miss" | "always";

export const EXEC_PRESETS: Record<string, { security: Security; ask: Ask; askFallback: Security }> = {
  yolo: { security: "full", ask: "off", askFallback: "full" },
  cautious: { security: "allowlist", ask: "on-miss", askFallback: "deny" },
  "deny-all": { security: "deny", ask: "off", askFallback: "deny" },
};

const SECURITY = ["deny", "allowlist", "full"];
const ASK = ["off", "on-miss", "always"];

export async function execPolicyShow(options: { json?: boolean }): Promise<void> {
  const { readApprovalsFile, effectivePolicy } = await import("@openclaw/exec-approvals");
  const paths = localPaths();
  const { config } = readLocalConfig(paths);
  const exec = (get(config, "tools.exec") ?? {}) as Record<string, unknown>;
  const snapshot = readApprovalsFile(join(paths.stateDir, "exec-approvals.json"));
  const hints = {
    ...(typeof exec.security === "string" ? { security: exec.security as Security } : {}),
    ...(typeof exec.ask === "string" ? { ask: exec.ask as Ask } : {}),
    ...(typeof exec.askFallback === "string" ? { askFallback: exec.askFallback as Security } : {}),
  };
  const effective = effectivePolicy(snapshot, "main", hints);
  const view = {
    config: { path: paths.configPath, tools: { exec } },
    approvals: {
      path: snapshot.path,
      exists: snapshot.exists,
      defaults: snapshot.file.defaults ?? {},
      ...(snapshot.invalid ? { invalid: snapshot.invalid } : {}),
    },
    effective: {
      security: effective.security,
      ask: effective.ask,
      askFallback: effective.askFallback,
      host: exec.host ?? "gateway",
      node: exec.node ?? null,
    },
  };
  if (options.json) return print(JSON.stringify(view, null, 2));
  print(
    [
      `Effective (agent main): security ${effective.security} · ask ${effective.ask} · askFallback ${effective.askFallback} · host ${view.effective.host}${view.effective.node ? ` (node ${view.effective.node})` : ""}`,
      `Config ${paths.configPath}: tools.exec ${JSON.stringify(exec)}`,
      `Approvals ${snapshot.path}: ${snapshot.invalid ? `INVALID (${snapshot.invalid}) — every command is denied` : snapshot.exists ? `defaults ${JSON.stringify(snapshot.file.defaults ?? {})}` : "not created (the config alone decides)"}`,
    ].join("\n"),
  );
}

async function apply(values: { security?: string; ask?: string; askFallback?: string }): Promise<void> {
  if (values.security && !SECURITY.includes(values.security))
    return fail(`--security must be one of ${SECURITY.join(", ")}`, 2);
  if (values.ask && !ASK.includes(values.ask)) return fail(`--ask must be one of ${ASK.join(", ")}`, 2);
  if (values.askFallback && !SECURITY.includes(values.askFallback))
    return fail(`--ask-fallback must be one of ${SECURITY.join(", ")}`, 2);
  const entries = Object.entries(values).filter(([, value]) => value !== undefined) as [string, string][];
  if (!entries.length) return fail("nothing to set: pass --security, --ask or --ask-fallback", 2);
  const { setConfigValue } = await import("@openclaw/core/config");
  for (const [key, value] of entries) await setConfigValue(`tools.exec.${key}`, value);
  const { readApprovalsFile, writeApprovalsFile } = await import("@openclaw/exec-approvals");
  const path = join(localPaths().stateDir, "exec-approvals.json");
  const snapshot = readApprovalsFile(path);
  if (snapshot.invalid)
    return fail(`tools.exec updated, but ${snapshot.invalid}; fix or replace it (openclaw approvals set)`);
  const file = structuredClone(snapshot.file);
  file.defaults = { ...file.defaults, ...Object.fromEntries(entries) };
  writeApprovalsFile(path, file);
  print(
    `Exec policy: ${entries.map(([key, value]) => `${key} ${value}`).join(" · ")} (tools.exec.* and ${path})`,
  );
}

export async function execPolicySet(options: {
  security?: string;
  ask?: string;
  askFallback?: string;
}): Promise<void> {
  await apply(options);
}

export async function execPolicyPreset(name: string): Promise<void> {
  const preset = EXEC_PRESETS[name];
  if (!preset) return fail(`unknown preset ${name}: use ${Object.keys(EXEC_PRESETS).join(", ")}`, 2);
  await apply(preset);
}
