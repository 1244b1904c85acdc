/**
 * Action mode `agent`: runs the worker's agent in its container and hands
 * its work on as a patch. This step holds no key and no write token: the
 * agent reaches the model API through the metering proxy (mode `proxy`,
 * started before) with the run's token, and the internet only through the
 * egress allow-list (see src/worker/container.ts for exactly what it can
 * reach).
 *
 * 1. installs the pinned agent CLI when the command uses it;
 * 2. runs the command in the container, within `timeout-minutes` (at most
 *    340), its output kept in `<output-dir>/agent-output.txt`;
 * 3. collects every change against the commit it started from as
 *    `<output-dir>/feature.patch` and checks it as the apply job will;
 * 4. says how it went: outputs `outcome` (success or failure), `reason`,
 *    `base-sha` and `duration-seconds`. The outputs are set even when a
 *    step fails, so the report can say why.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describeZodError, FeatureKey, MissionId, Mode } from "../mission/model.js";
import { AGENT_CLI_DIR } from "../mission/workers/worker-prompt.js";
import { readProxyState } from "../proxy/daemon.js";
import { installAgentCli } from "../worker/agent-cli.js";
import { agentEnvironment } from "../worker/container.js";
import { runAgentContainer } from "../worker/docker.js";
import { gitOk } from "../worker/git.js";
import { collectPatch } from "../worker/patch.js";
import { blobReader, patchChanges, refusals } from "../worker/patch-checks.js";
import type { ActionContext } from "./context.js";
import { capInput, proxyDir } from "./proxy.js";
import { takeRequestsFile } from "./shared/requests-file.js";

/** GitHub stops a job on a hosted runner at 360 minutes; the agent gets 340 at most, the rest is for handing on. */
export const MAX_AGENT_MINUTES = 340;

class Outcome extends Error {}

/**
 * The user the agent runs as: the runner's own (on GitHub's hosted runners,
 * `runner`, who owns the checkout), or MISSION_AGENT_USER (`uid:gid`) where
 * the runner runs as root and another user owns the checkout.
 */
export function agentUser(env: Record<string, string | undefined>): { uid: number; gid: number } {
  const given = /^(\d{1,9}):(\d{1,9})$/.exec(env.MISSION_AGENT_USER?.trim() ?? "");
  if (given) return { uid: Number(given[1]), gid: Number(given[2]) };
  return { uid: process.getuid?.() ?? 1001, gid: process.getgid?.() ?? 1001 };
}

function countInput(ctx: ActionContext, name: string, max: number): number {
  const text = ctx.input(name, { required: true }).trim();
  if (!/^[1-9]\d{0,5}$/.test(text)) throw new Outcome(`${name} is not a whole number: ${JSON.stringify(text.slice(0, 40))}`);
  return Math.min(Number(text), max);
}

export async function run(ctx: ActionContext): Promise<void> {
  const out = resolve(ctx.input("output-dir").trim() || join(ctx.env.RUNNER_TEMP ?? process.cwd(), "mission-worker"));
  mkdirSync(out, { recursive: true });
  const say = (outcome: "success" | "failure", reason: string) => {
    ctx.setOutput("outcome", outcome);
    ctx.setOutput("reason", reason);
  };
  try {
    await work(ctx, out, say);
  } catch (error) {
    const reason = error instanceof Outcome ? error.message : `The agent step failed: ${(error as Error).message}`;
    say("failure", reason);
    throw error;
  }
}

async function work(ctx: ActionContext, out: string, say: (outcome: "success" | "failure", reason: string) => void): Promise<void> {
  if (ctx.input("prompt-outcome").trim() !== "success") {
    const refusal = ctx.input("prompt-refusal").trim();
    say(
      "failure",
      refusal
        ? `The feature issue was not given to the agent: ${refusal}`
        : "The feature issue was not given to the agent: see the log of the step that writes the prompt (an author mission-bot does not trust, a missing marker, or an invalid .github/mission.yml).",
    );
    return;
  }
  const mission = MissionId.safeParse(ctx.input("mission", { required: true }).trim());
  const feature = FeatureKey.safeParse(ctx.input("feature", { required: true }).trim());
  const mode = Mode.safeParse(ctx.input("worker-mode", { required: true }).trim());
  if (!mission.success) throw new Outcome(`mission: ${describeZodError(mission.error).join("; ")}`);
  if (!feature.success) throw new Outcome(`feature: ${describeZodError(feature.error).join("; ")}`);
  if (!mode.success) throw new Outcome("worker-mode must be poc or full");
  const model = ctx.input("model", { required: true }).trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@[\]-]{0,99}$/.test(model)) throw new Outcome(`model is not a model name: ${JSON.stringify(model.slice(0, 60))}`);
  const maxTurns = countInput(ctx, "max-turns", 10_000);
  const minutes = countInput(ctx, "timeout-minutes", MAX_AGENT_MINUTES);
  let maxCost: number | undefined;
  try {
    maxCost = capInput(ctx.input("max-cost-usd"));
  } catch (error) {
    throw new Outcome((error as Error).message);
  }
  const command = ctx.input("command", { required: true });
  const image = ctx.input("image", { required: true }).trim();
  const promptFile = resolve(ctx.input("prompt-file", { required: true }).trim());
  const network = ctx.input("docker-network", { required: true }).trim();
  const workspace = resolve(ctx.input("workspace").trim() || ctx.env.GITHUB_WORKSPACE || process.cwd());
  const temp = ctx.env.RUNNER_TEMP ?? out;

  const proxy = readProxyState(proxyDir(ctx.env));
  if (!proxy) throw new Outcome("The metering proxy did not start, so the agent was not run: see the log of the step that starts it.");

  const base = (await gitOk(workspace, ["rev-parse", "HEAD"])).trim();
  ctx.setOutput("base-sha", base);

  const usesCli = command.includes(`${AGENT_CLI_DIR}/`);
  const agentCli = usesCli ? await installAgentCli(join(temp, "mission-agent-cli")) : undefined;
  const home = join(temp, "mission-agent-home");
  mkdirSync(home, { recursive: true });
  const outputFile = join(out, "agent-output.txt");
  writeFileSync(outputFile, "");

  const env = agentEnvironment({
    proxyHost: proxy.host,
    modelPort: proxy.model_port,
    egressPort: proxy.egress_port,
    token: proxy.token,
    mission: mission.data,
    feature: feature.data,
    mode: mode.data,
    model,
    maxTurns,
    ...(maxCost !== undefined ? { maxCostUsd: maxCost } : {}),
  });
  // what the bot handed over to this run (README "Spending and email"): passed to the agent only when set
  for (const name of ["MISSION_HANDOVER_CODE", "MISSION_HANDOVER_LINK", "MISSION_HANDOVER_KEY"]) if (ctx.env[name]) env[name] = ctx.env[name]!;
  const { uid, gid } = agentUser(ctx.env);
  ctx.log.info(`running the agent in ${image} for at most ${minutes} minutes`);
  // the agent's output is shown in the log, where a line like "::set-output" must not act as a workflow command
  const resume = randomBytes(16).toString("hex");
  console.log(`::stop-commands::${resume}`);
  const result = await runAgentContainer(
    {
      name: `mission-agent-${ctx.env.GITHUB_RUN_ID ?? "local"}-${ctx.env.GITHUB_RUN_ATTEMPT ?? "1"}`,
      image,
      network,
      uid,
      gid,
      workspace,
      home,
      promptFile,
      ...(agentCli ? { agentCli } : {}),
      env: Object.keys(env),
      command,
    },
    env,
    { timeoutMs: minutes * 60_000, outputFile, echo: (chunk) => process.stdout.write(chunk) },
  );
  console.log(`::${resume}::`);
  ctx.setOutput("duration-seconds", String(result.seconds));

  // the requests file goes to the report job, never into the patch
  takeRequestsFile(workspace, out);
  const patchFile = join(out, "feature.patch");
  const { bytes } = await collectPatch(workspace, base, patchFile, join(temp, "mission-collect.index"));
  const refused = bytes ? await refusals(await patchChanges(workspace, base, patchFile, join(temp, "mission-check.index")), blobReader(workspace), mission.data) : [];

  if (result.timedOut) say("failure", `The agent ran out of time (${minutes} minutes).`);
  else if (result.exitCode !== 0) say("failure", `The agent command failed (exit ${result.exitCode ?? "unknown"}).`);
  else if (refused.length) say("failure", `The worker's changes are refused, so none of its work was applied:\n${refused.map((r) => `- ${r}`).join("\n")}`);
  else if (bytes === 0) say("failure", "The worker changed nothing.");
  else say("success", "");
}
