import type { LoginOptions } from "./login.js";

/** One of `--provider` or `--channel`; anything else is a usage error that names both forms. */
export async function runLogin(options: LoginOptions): Promise<void> {
  if (Boolean(options.provider) === Boolean(options.channel)) {
    process.stderr.write(
      "openclaw login: give either --provider <id> (a model provider's API key) or --channel <id> " +
        "(a messaging channel), e.g. `openclaw login --provider anthropic` or " +
        "`openclaw login --channel whatsapp`; `openclaw onboard` walks through both.\n",
    );
    process.exitCode = 2;
    return;
  }
  if (options.provider) {
    const { authPasteToken } = await import("./models-impl.js");
    await authPasteToken({
      provider: options.provider,
      ...(options.token ? { token: options.token } : {}),
      ...(options.profileId ? { profileId: options.profileId } : {}),
      ...(options.agent ? { agent: options.agent } : {}),
    });
    return;
  }
  const { channelsAdd } = await import("./channels-impl.js");
  await channelsAdd(
    {
      channel: options.channel!,
      ...(options.account ? { account: options.account } : {}),
      ...(options.token ? { token: options.token } : {}),
      ...(options.appToken ? { appToken: options.appToken } : {}),
      ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}),
      ...(options.verify === false ? { verify: false } : {}),
    },
    true,
  );
}
