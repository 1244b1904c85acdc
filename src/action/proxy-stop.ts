/**
 * Action mode `proxy-stop`: the agent job's last step before its work is
 * handed on. Stops the metering proxy, says what the run spent, removes the
 * agent network. The usage record stays at `usage-record`, where mode
 * `proxy` kept it, for the report. When the proxy never started, the agent
 * never ran either (mode `agent` does not run it without the proxy), so
 * nothing was spent: an empty record says so. Never fails the job: a proxy
 * that started but left no readable record leaves none, and the report then
 * books the run's cap or forecast.
 */
import { join, resolve } from "node:path";
import { stopProxy, writePrivate } from "../proxy/daemon.js";
import { Meter } from "../proxy/meter.js";
import { removeNetwork } from "../worker/docker.js";
import type { ActionContext } from "./context.js";
import { proxyDir } from "./proxy.js";

export async function run(ctx: ActionContext): Promise<void> {
  const stopped = await stopProxy(proxyDir(ctx.env));
  const network = ctx.input("docker-network").trim();
  if (network && /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(network)) await removeNetwork(network);
  if (!stopped.state) {
    const path = resolve(ctx.input("usage-record").trim() || join(ctx.env.RUNNER_TEMP ?? process.cwd(), "mission-worker", "usage.json"));
    writePrivate(path, `${JSON.stringify(new Meter({ prices: {} }).record(), null, 2)}\n`);
    ctx.log.info("the metering proxy never started, so the agent did not run: nothing was spent");
    ctx.setOutput("cost-usd", "0");
    ctx.setOutput("cap-reached", "false");
    return;
  }
  if (!stopped.record.ok) {
    ctx.log.warning(`no usage record: ${stopped.record.problem}; the run is booked at its cost cap or forecast`);
    ctx.setOutput("cost-usd", "");
    ctx.setOutput("cap-reached", "false");
    return;
  }
  const u = stopped.record.usage;
  ctx.log.info(
    `the agent spent $${u.cost_usd.toFixed(4)} in ${u.requests} model requests (${u.tokens_in} tokens in, ${u.tokens_out} out)` +
      (u.cap_reached ? `; it reached its cap of $${(u.cap_usd ?? 0).toFixed(2)}` : "") +
      (u.refused ? `; ${u.refused} requests refused` : "") +
      (u.egress_refused.length ? `; refused egress to ${u.egress_refused.join(", ")}` : ""),
  );
  ctx.setOutput("cost-usd", String(u.cost_usd));
  ctx.setOutput("cap-reached", String(u.cap_reached));
}
