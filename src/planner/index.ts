/**
 * Which planner a repository gets: the Anthropic planner when it is
 * configured and its key is present, otherwise the outline planner, with a
 * flag so the caller can post OUTLINE_HELP. The key is read from `env` under
 * the name config.planner.api_key_env, passed to the client and nowhere else.
 *
 * The Messages API's address is https://api.anthropic.com unless
 * ANTHROPIC_BASE_URL names another (a company gateway, a local stand-in):
 * only an address, checked here — https, or http to this machine (loopback),
 * no user or password in it — and always passed to the SDK explicitly, so
 * the SDK never reads an unchecked value from the process's environment.
 */
import type { Config } from "../mission/model.js";
import { OUTLINE_HELP, outlinePlanner } from "../mission/plan/outline.js";
import type { Planner } from "../mission/plan/plan.js";
import { AnthropicPlanner, type MessagesClient } from "./anthropic.js";

export interface PlannerChoice {
  planner: Planner;
  /** true when an LLM planner is configured but its key is not set: plan from an outline and post OUTLINE_HELP */
  missingKey: boolean;
}

export const ANTHROPIC_API = "https://api.anthropic.com";

/** ANTHROPIC_BASE_URL, checked: the address the planner's requests go to (default ANTHROPIC_API), or why it cannot be used. */
export function anthropicBaseUrl(env: Record<string, string | undefined>): { ok: true; url: string } | { ok: false; problem: string } {
  const raw = env.ANTHROPIC_BASE_URL?.trim();
  if (!raw) return { ok: true, url: ANTHROPIC_API };
  const shown = JSON.stringify(raw.slice(0, 80));
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: `ANTHROPIC_BASE_URL is not a URL (got ${shown})` };
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    return { ok: false, problem: `ANTHROPIC_BASE_URL must be an https:// address (http:// only to this machine: localhost, 127.0.0.1, [::1]); got ${shown}` };
  }
  if (url.username || url.password) return { ok: false, problem: "ANTHROPIC_BASE_URL must not carry a user or password: the key goes in the planner's key variable" };
  if (url.search || url.hash) return { ok: false, problem: `ANTHROPIC_BASE_URL must be a base address without ?query or #fragment (got ${shown})` };
  return { ok: true, url: url.href.replace(/\/+$/, "") };
}

export function choosePlanner(
  config: Config,
  env: Record<string, string | undefined>,
  makeClient?: (apiKey: string) => MessagesClient,
): PlannerChoice {
  if (config.planner.provider === "outline") return { planner: outlinePlanner, missingKey: false };
  const apiKey = env[config.planner.api_key_env]?.trim();
  if (!apiKey) return { planner: outlinePlanner, missingKey: true };
  const model = config.models.planner;
  const base = anthropicBaseUrl(env);
  if (!base.ok) throw new Error(base.problem);
  const planner = makeClient
    ? new AnthropicPlanner({ model, client: makeClient(apiKey) })
    : new AnthropicPlanner({ model, apiKey, baseURL: base.url });
  return { planner, missingKey: false };
}

/**
 * The planner for a command, and the help to show when it cannot plan: how to
 * write an outline (and, with no key configured, where the key goes).
 */
export function plannerFor(config: Config, env: Record<string, string | undefined>): { planner: Planner; help: string } {
  const choice = choosePlanner(config, env);
  return {
    planner: choice.planner,
    help: choice.missingKey
      ? `No LLM planner key is configured (set \`${config.planner.api_key_env}\` where the bot runs), so mission-bot plans from an outline in the issue body.\n\n${OUTLINE_HELP}`
      : OUTLINE_HELP,
  };
}

export { AnthropicPlanner, type MessagesClient } from "./anthropic.js";
