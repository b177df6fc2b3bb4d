import type { Command } from "commander";

/** `openclaw doctor`: check config and state, optionally repair what is safe. */
export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description(
      "check config, state permissions, gateway auth and port; --fix repairs what is safe (backs up first)",
    )
    .option(
      "--fix",
      "apply safe repairs (file permissions, token for non-loopback bind, import of OpenClaw 2026.9 SQLite state); without a terminal the ones needing a yes are listed as skipped",
    )
    .option("--repair", "same as --fix (OpenClaw's alias)")
    .option("--yes", "answer yes to repair prompts (never removes unknown keys)")
    .option("--non-interactive", "never prompt; --fix then applies only the safe repairs")
    .option("--generate-gateway-token", "generate gateway.auth.token and write it to the config")
    .option("--json", "print findings as JSON")
    .action(async (options: DoctorOptions) => {
      const { runDoctor } = await import("./doctor-impl.js");
      await runDoctor(options);
    });
}

export interface DoctorOptions {
  fix?: boolean;
  repair?: boolean;
  yes?: boolean;
  nonInteractive?: boolean;
  generateGatewayToken?: boolean;
  json?: boolean;
}
