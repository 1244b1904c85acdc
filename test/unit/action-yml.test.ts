/**
 * action.yml and the modes cannot drift: every input a mode reads and every
 * output it sets is declared, every declared one is used, and each
 * description names exactly the modes that use it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { lintWorkflow } from "../support/actionlint.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

type Meta = {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: Record<string, string>;
};
const action = parse(read("action.yml")) as Meta;

/** Mode name → its source, with the helpers under src/action/shared/ it imports; context.ts is shared by every mode. */
const modeFiles = readdirSync(new URL("src/action/", root))
  .filter((f) => f.endsWith(".ts") && f !== "context.ts")
  .map((f) => {
    const own = read(`src/action/${f}`);
    const helpers = [...own.matchAll(/from "\.\/shared\/([\w-]+)\.js"/g)].map((m) => read(`src/action/shared/${m[1]}.ts`));
    return { mode: f.replace(/\.ts$/, ""), text: [own, ...helpers].join("\n") };
  });
const modes = modeFiles.map((m) => m.mode).sort();
const shared = read("src/action/context.ts");

/** `ctx.input("x")`, `core.getInput("x")`, and helpers called as `somethingInput(ctx, "x", …)`. */
function inputsIn(text: string): string[] {
  return [...text.matchAll(/(?:\b(?:ctx\.input|core\.getInput)\(\s*|\b\w+Input\(\s*ctx\s*,\s*)"([a-z][a-z0-9-]*)"/g)].map((m) => m[1]!);
}
function outputsIn(text: string): string[] {
  return [...text.matchAll(/\b(?:ctx\.setOutput|core\.setOutput)\(\s*"([a-z][a-z0-9-]*)"/g)].map((m) => m[1]!);
}

/** name → the modes using it, as found in the source */
function usage(find: (text: string) => string[]): Map<string, string[]> {
  const used = new Map<string, Set<string>>();
  const add = (name: string, mode: string) => used.set(name, (used.get(name) ?? new Set()).add(mode));
  for (const { mode, text } of modeFiles) for (const name of find(text)) add(name, mode);
  for (const name of find(shared)) for (const mode of modes) add(name, mode);
  return new Map([...used].map(([name, set]) => [name, [...set].sort()]));
}

/** The `(modes: a, b)` at the end of a description. */
function modesSaid(description: string): string[] {
  const m = /\(modes: ([a-z, -]+)\)$/.exec(description.trim());
  return m ? m[1]!.split(",").map((s) => s.trim()).sort() : [];
}

describe("action.yml", () => {
  it("runs the bundle on node24", () => {
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
  });

  it("requires only mode, which lists every mode the entry point knows", () => {
    const required = Object.entries(action.inputs).filter(([, i]) => i.required).map(([n]) => n);
    expect(required).toEqual(["mode"]);
    const registered = [...read("src/action.ts").matchAll(/^\s+"?([a-z-]+)"?: async \(\) =>/gm)].map((m) => m[1]!).sort();
    expect(registered).toEqual(modes);
    const said = action.inputs.mode!.description.split(":")[1]!.split("|").map((s) => s.trim()).sort();
    expect(said).toEqual(modes);
  });

  it("defaults github-token to the workflow's token", () => {
    expect(action.inputs["github-token"]?.default).toBe("${{ github.token }}");
  });

  it("declares exactly the inputs the modes read, each naming the modes that read it", () => {
    const used = usage(inputsIn);
    used.delete("mode"); // read by src/action.ts to pick the mode
    const declared = Object.keys(action.inputs).filter((n) => n !== "mode");
    expect(declared.sort()).toEqual([...used.keys()].sort());
    for (const [name, users] of used) expect(modesSaid(action.inputs[name]!.description), `input ${name}`).toEqual(users);
  });

  it("declares exactly the outputs the modes set, each naming the modes that set it", () => {
    const used = usage(outputsIn);
    expect(Object.keys(action.outputs).sort()).toEqual([...used.keys()].sort());
    for (const [name, users] of used) expect(modesSaid(action.outputs[name]!.description), `output ${name}`).toEqual(users);
  });

  it("finds inputs and outputs however a mode reads them", () => {
    // the patterns the test relies on, so a change of style is not silently missed
    expect(inputsIn('ctx.input("a", { required: true }); numberInput(ctx, "b", "count"); core.getInput("c")')).toEqual(["a", "b", "c"]);
    expect(outputsIn('ctx.setOutput("x", "1")')).toEqual(["x"]);
  });

  it("the Actions-only command workflow runs mode command on the App's events and passes actionlint", async () => {
    const workflow = read("templates/workflows/mission-command.yml");
    expect(await lintWorkflow(workflow, "mission-command.yml")).toEqual([]);
    const parsed = parse(workflow) as { on: Record<string, unknown>; jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }> };
    const app = parse(read("app.yml")) as { default_events: string[] };
    // every event the App gets that the command mode handles, but workflow_run: the worker and validation
    // workflows start it (workflow_dispatch, in the mission's concurrency group) when they finish
    expect(Object.keys(parsed.on).sort()).toEqual([...app.default_events.filter((e) => e !== "workflow_run"), "workflow_dispatch"].sort());
    const step = Object.values(parsed.jobs).flatMap((j) => j.steps).find((s) => s.uses?.includes("mission-bot@v1"));
    expect(step?.with?.mode).toBe("command");
  });
});
