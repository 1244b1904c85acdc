/**
 * Action mode `validate-plan`: the first step of a validation run, after the
 * checkout of the code to validate. The settings come from
 * .github/mission.yml on the default branch (read through the API), never
 * from the branch under validation, which agents wrote; without
 * `validation.commands` the defaults come from the checked-out package.json
 * and lockfiles. Writes `<results-dir>/plan.json` and outputs the step's
 * time limit, the failures that pause a mission, the browser checks and the
 * commit validated. The milestone's criteria (MISSION_CRITERIA, from the
 * dispatch's `criteria` input) add their commands and pages.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_PATH } from "../mission/config.js";
import type { PackageJson } from "../mission/validation/validation.js";
import { criteriaPlanParts, readCriteriaInput } from "../mission/validation/criteria.js";
import { LOCKFILES, validationDirs, validationPlan } from "../validate/plan.js";
import { freshResultsDir } from "../validate/results-dir.js";
import { defaultBranchConfig } from "../worker/default-config.js";
import { gitOk } from "../worker/git.js";
import type { ActionContext } from "./context.js";

export async function run(ctx: ActionContext): Promise<void> {
  const { workspace, out } = validationDirs(ctx.input("workspace"), ctx.input("results-dir"), ctx.env);
  const config = await defaultBranchConfig(ctx.octokit, ctx.repo);
  let pkg: PackageJson | undefined;
  const pkgPath = join(workspace, "package.json");
  if (existsSync(pkgPath)) {
    try {
      pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as PackageJson;
    } catch {
      throw new Error("package.json is not valid JSON, so no default commands can be read from it");
    }
  }
  // the milestone's criteria from its approved plan, sent by the bot as the `criteria` input (the workflow passes it as MISSION_CRITERIA)
  const read = readCriteriaInput(ctx.env.MISSION_CRITERIA);
  if (!read.ok) throw new Error(`cannot read the milestone's validation criteria: ${read.problem}`);
  const extra = criteriaPlanParts(read.criteria);
  const plan = validationPlan(config.validation, pkg, LOCKFILES.filter((f) => existsSync(join(workspace, f))), extra.urls, extra.commands);
  freshResultsDir(workspace, out);
  writeFileSync(join(out, "plan.json"), JSON.stringify(plan, null, 2));
  for (const c of plan.commands) ctx.log.info(`will run ${c.name}: ${c.command}`);
  if (plan.commands.length === 0) {
    throw new Error(`nothing to validate: set validation.commands in ${CONFIG_PATH} on the default branch, or add a package.json with build or test scripts`);
  }
  ctx.setOutput("step-timeout", String(plan.timeout_minutes + 5));
  ctx.setOutput("max-failures", String(plan.max_failures));
  ctx.setOutput("browser", plan.browser ? JSON.stringify(plan.browser) : "");
  ctx.setOutput("commit", (await gitOk(workspace, ["rev-parse", "HEAD"])).trim());
}
