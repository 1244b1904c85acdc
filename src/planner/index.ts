/**
 * Which planner a repository gets: the Anthropic planner when it is
 * configured and its key is present, otherwise the outline planner, with a
 * flag so the caller can post OUTLINE_HELP. The key is read from `env` under
 * the name config.planner.api_key_env, passed to the client and nowhere else.
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

export function choosePlanner(
  config: Config,
  env: Record<string, string | undefined>,
  makeClient?: (apiKey: string) => MessagesClient,
): PlannerChoice {
  if (config.planner.provider === "outline") return { planner: outlinePlanner, missingKey: false };
  const apiKey = env[config.planner.api_key_env]?.trim();
  if (!apiKey) return { planner: outlinePlanner, missingKey: true };
  const model = config.models.planner;
  const planner = makeClient
    ? new AnthropicPlanner({ model, client: makeClient(apiKey) })
    : new AnthropicPlanner({ model, apiKey });
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
