import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "./errors.js";

// Reading and hashing the config file's text (no parser here: json5 loads only where text is parsed).

export function hashConfigText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Read the main config file: `undefined` text when it does not exist. */
export function readConfigText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    const reason =
      code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : String(code ?? error);
    throw new ConfigError("CONFIG_READ", `${file}: cannot read config: ${reason}`, { file, cause: error });
  }
}
