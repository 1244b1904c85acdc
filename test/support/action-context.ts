/** A fake ActionContext for Action-mode tests: inputs from a record, outputs and logs captured, Octokit intercepted by nock. */
import * as core from "@actions/core";
import type { ActionContext } from "../../src/action/context.js";
import type { Octokit } from "../../src/github/client.js";
import { TestOctokit } from "./github-nock.js";

export interface FakeAction {
  ctx: ActionContext;
  outputs: Record<string, string>;
  logs: string[];
}

export function fakeActionContext(inputs: Record<string, string>, env: Record<string, string | undefined> = {}): FakeAction {
  const outputs: Record<string, string> = {};
  const logs: string[] = [];
  const ctx: ActionContext = {
    input: (name) => inputs[name] ?? "",
    setOutput: (name, value) => {
      outputs[name] = value;
    },
    repo: { owner: "acme", repo: "crm" },
    event: { name: "workflow_dispatch", payload: {} },
    octokit: new TestOctokit({ auth: { token: "ghs_test" } }) as Octokit,
    summary: core.summary,
    log: { info: (m) => logs.push(m), warning: (m) => logs.push(`warning: ${m}`), error: (m) => logs.push(`error: ${m}`) },
    env,
  };
  return { ctx, outputs, logs };
}
