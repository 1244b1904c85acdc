/**
 * Action mode `proxy`: starts the metering proxy for one worker run, in
 * the step that alone holds the model key (ANTHROPIC_API_KEY in its
 * environment). With `docker-network`, it first creates that internal
 * network and listens on the runner's address on it, the one place the
 * agent's container can reach. The proxy runs on in the background
 * (src/proxy/daemon.ts) until mode `proxy-stop` or the job's end; it
 * prices with `prices` from .github/mission.yml on the default branch,
 * stops at the run's `max-cost-usd`, lets the agent reach the hosts of
 * `worker.egress`, and keeps the usage record at `usage-record`.
 */
import { join, resolve } from "node:path";
import * as core from "@actions/core";
import { startProxy } from "../proxy/daemon.js";
import { agentNetwork } from "../worker/docker.js";
import { defaultBranchConfig } from "../worker/default-config.js";
import type { ActionContext } from "./context.js";

export const DEFAULT_MODEL_API = "https://api.anthropic.com";

/** "" → no cap; otherwise an amount in US dollars. */
export function capInput(text: string): number | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (!/^\d{1,6}(\.\d{1,6})?$/.test(t)) throw new Error(`max-cost-usd is not an amount in US dollars: ${JSON.stringify(t.slice(0, 40))}`);
  return Number(t);
}

export function proxyDir(env: Record<string, string | undefined>): string {
  return join(env.RUNNER_TEMP ?? process.cwd(), "mission-proxy");
}

export async function run(ctx: ActionContext): Promise<void> {
  const apiKey = ctx.env.ANTHROPIC_API_KEY?.trim();
  if (!apiKey) throw new Error("ANTHROPIC_API_KEY is not set in this step's environment: add the repository secret ANTHROPIC_API_KEY");
  core.setSecret(apiKey);
  const cap = capInput(ctx.input("max-cost-usd"));
  const network = ctx.input("docker-network").trim();
  if (network && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(network)) throw new Error(`docker-network is not a network name: ${JSON.stringify(network.slice(0, 70))}`);
  const upstream = ctx.env.ANTHROPIC_BASE_URL?.trim() || DEFAULT_MODEL_API;
  if (!/^https?:\/\//.test(upstream)) throw new Error(`ANTHROPIC_BASE_URL is not a URL: ${JSON.stringify(upstream.slice(0, 80))}`);
  const record = resolve(ctx.input("usage-record").trim() || join(ctx.env.RUNNER_TEMP ?? process.cwd(), "mission-worker", "usage.json"));

  const config = await defaultBranchConfig(ctx.octokit, ctx.repo);
  const host = network ? await agentNetwork(network) : "127.0.0.1";
  const state = await startProxy({
    dir: proxyDir(ctx.env),
    command: [process.execPath, process.argv[1] ?? ""],
    apiKey,
    env: ctx.env,
    settings: {
      host,
      upstream,
      ...(cap !== undefined ? { cap_usd: cap } : {}),
      prices: config.prices,
      egress: config.worker.egress,
      record_path: record,
    },
  });
  core.setSecret(state.token);
  ctx.log.info(
    `metering proxy (pid ${state.pid}): the model API on http://${host}:${state.model_port}, HTTPS to ${config.worker.egress.length} allowed hosts on ${host}:${state.egress_port}; ` +
      `cost cap ${cap !== undefined ? `$${cap.toFixed(2)}` : "none"}; usage record ${record}`,
  );
  ctx.setOutput("base-url", `http://${host}:${state.model_port}`);
}
