/**
 * `.github/mission.yml` → Config, validated; every problem named with its
 * field. Pure.
 */
import { parse as parseYaml, YAMLParseError } from "yaml";
import { Config, describeZodError } from "./model.js";

export const CONFIG_PATH = ".github/mission.yml";

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Every setting at its default (no `.github/mission.yml`). */
export function defaultConfig(): Config {
  return Config.parse({});
}

/** `null` text (no file) gives the defaults. */
export function parseConfig(text: string | null): ConfigResult {
  let raw: unknown = {};
  if (text !== null) {
    try {
      raw = parseYaml(text) ?? {};
    } catch (error) {
      const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : "";
      return { ok: false, problems: [`${CONFIG_PATH} is not valid YAML${where}: ${(error as Error).message.split("\n")[0]}`] };
    }
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, problems: [`${CONFIG_PATH} must be a YAML mapping of settings`] };
  }
  const result = Config.safeParse(raw);
  if (!result.success) return { ok: false, problems: describeZodError(result.error).map((p) => `${CONFIG_PATH}: ${p}`) };
  return { ok: true, config: result.data };
}
