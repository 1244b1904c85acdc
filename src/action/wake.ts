/**
 * Mode `wake` (the last step of the worker and validation workflows): in
 * Actions-only mode, start the command workflow for the mission whose run
 * just finished, so its report is read inside that mission's concurrency
 * group at once rather than at the next pulse. With the App installed there
 * is no command workflow: the App hears the run finish by itself, and this
 * step only says so.
 */
import type { ActionContext } from "./context.js";
import { MissionId, trackingIssueOf } from "../mission/model.js";
import { defaultBranchOf, dispatchCommandRun } from "./shared/loop-deps.js";

export async function run(ctx: ActionContext): Promise<void> {
  const mission = ctx.input("mission", { required: true });
  if (!MissionId.safeParse(mission).success) throw new Error(`mission "${mission}" is not a mission id`);
  const tracking = trackingIssueOf(mission);
  if (!tracking) throw new Error(`mission "${mission}" names no tracking issue`);
  const workflow = ctx.input("command-workflow") || "mission-command.yml";
  const started = await dispatchCommandRun(ctx, workflow, await defaultBranchOf(ctx), tracking, `run ${ctx.env.GITHUB_RUN_ID ?? ""} finished`);
  ctx.log.info(started ? `mission-bot: ${workflow} takes mission ${mission} on (#${tracking})` : `mission-bot: no ${workflow} here; the App hears this run finish by itself`);
}
