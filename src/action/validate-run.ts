/**
 * Action mode `validate-run`: runs the commands of `<results-dir>/plan.json`
 * (mode `validate-plan` wrote it) in the checkout and writes
 * `<results-dir>/results.json` for the report. The step fails when a
 * command failed; the report job runs either way.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCommands } from "../validate/commands.js";
import { validationDirs, ValidationPlan } from "../validate/plan.js";
import type { ActionContext } from "./context.js";

export async function run(ctx: ActionContext): Promise<void> {
  const { workspace, out } = validationDirs(ctx.input("workspace"), ctx.input("results-dir"), ctx.env);
  const plan = ValidationPlan.parse(JSON.parse(readFileSync(join(out, "plan.json"), "utf8")));
  // pnpm and yarn through Node's corepack, when the runner has it
  spawnSync("corepack", ["enable"], { stdio: "ignore" });
  // the commands' output is shown in the log, where a line like "::set-output" must not act as a workflow command
  const resume = randomBytes(16).toString("hex");
  console.log(`::stop-commands::${resume}`);
  const results = await runCommands(plan, {
    cwd: workspace,
    out,
    echo: (chunk) => process.stdout.write(chunk),
    log: (line) => console.log(line.startsWith("::") ? `::${resume}::\n${line}\n::stop-commands::${resume}` : line),
  });
  console.log(`::${resume}::`);
  writeFileSync(join(out, "results.json"), JSON.stringify(results, null, 2));
  const failed = results.commands.filter((c) => !c.passed);
  if (failed.length) throw new Error(`${failed.length} of ${results.commands.length} validation commands did not pass: ${failed.map((c) => c.name).join(", ")}`);
}
