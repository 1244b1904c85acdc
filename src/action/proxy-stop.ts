/**
 * Action mode `proxy-stop`: the agent job's last step before its work is
 * handed on. Stops the metering proxy, says what the run spent, removes the
 * agent network. The usage record stays where mode `proxy` was told to keep
 * it, for the report. Never fails the job: a proxy that never started
 * leaves no record, and the report then books the run's cap or forecast.
 */
import { stopProxy } from "../proxy/daemon.js";
import { removeNetwork } from "../worker/docker.js";
import type { ActionContext } from "./context.js";
import { proxyDir } from "./proxy.js";

export async function run(ctx: ActionContext): Promise<void> {
  const stopped = await stopProxy(proxyDir(ctx.env));
  const network = ctx.input("docker-network").trim();
  if (network && /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(network)) await removeNetwork(network);
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
