/** Injected by tsup at build time (see scripts/tsup-preset.ts); undefined when running from source. */
declare const __OPENCLAW_VERSION__: string | undefined;
