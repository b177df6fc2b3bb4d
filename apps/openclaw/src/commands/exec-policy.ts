import type { Command } from "commander";

/** `openclaw exec-policy show|set|preset`: `tools.exec.*` and the gateway host's exec-approvals.json in step. */
export function registerExecPolicy(program: Command): void {
  const policy = program
    .command("exec-policy")
    .description("exec policy: tools.exec.* and exec-approvals.json together");
  policy
    .command("show")
    .description("the effective exec policy of this host")
    .option("--json", "print JSON")
    .action(async (options) => {
      const { execPolicyShow } = await import("./exec-policy-impl.js");
      await execPolicyShow(options);
    });
  policy
    .command("set")
    .description("set security / ask / askFallback in both places")
    .option("--security <mode>", "deny | allowlist | full")
    .option("--ask <mode>", "off | on-miss | always")
    .option("--ask-fallback <mode>", "deny | allowlist | full")
    .action(async (options) => {
      const { execPolicySet } = await import("./exec-policy-impl.js");
      await execPolicySet(options);
    });
  policy
    .command("preset <name>")
    .description("yolo (full, never ask) | cautious (allowlist, ask on miss) | deny-all")
    .action(async (name: string) => {
      const { execPolicyPreset } = await import("./exec-policy-impl.js");
      await execPolicyPreset(name);
    });
}
