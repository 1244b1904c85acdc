/**
 * Issue 15: what the Actions pulse need not ask GitHub on GITHUB_TOKEN's
 * 1,000 requests an hour — the default branch of a scheduled run (its ref
 * names it), and which workflow a run of the repository's runs list is of
 * (its `path`, in each form GitHub writes it).
 */
import { describe, expect, it } from "vitest";
import { defaultBranchOf } from "../../src/action/shared/loop-deps.js";
import { workflowFileOf } from "../../src/action/shared/pulse-changes.js";
import type { ActionContext } from "../../src/action/context.js";

const REPO = { owner: "acme", repo: "crm" };

/** A context whose GitHub answers GET /repos/{owner}/{repo} with `trunk`, counting the requests. */
function context(event: ActionContext["event"], env: Record<string, string>) {
  const asked: string[] = [];
  const octokit = { rest: { repos: { get: async () => (asked.push("GET /repos/acme/crm"), { data: { default_branch: "trunk" } }) } } };
  return { ctx: { event, env, repo: REPO, octokit: octokit as unknown as ActionContext["octokit"] }, asked };
}

describe("the default branch of an Action run", () => {
  it("a scheduled run takes it from its ref, asking GitHub nothing (a schedule event's payload has no repository)", async () => {
    const { ctx, asked } = context({ name: "schedule", payload: { schedule: "*/15 * * * *" } }, { GITHUB_REF: "refs/heads/develop" });
    expect(await defaultBranchOf(ctx)).toBe("develop");
    expect(asked).toEqual([]);
  });

  it("a dispatched run takes it from the event's repository; one on another event without it asks GitHub", async () => {
    const dispatched = context({ name: "workflow_dispatch", payload: { repository: { default_branch: "main" } } }, { GITHUB_REF: "refs/heads/feature" });
    expect(await defaultBranchOf(dispatched.ctx)).toBe("main");
    expect(dispatched.asked).toEqual([]);
    // a manual run on a feature branch's ref is no proof of the default branch
    const other = context({ name: "workflow_dispatch", payload: {} }, { GITHUB_REF: "refs/heads/feature" });
    expect(await defaultBranchOf(other.ctx)).toBe("trunk");
    expect(other.asked).toEqual(["GET /repos/acme/crm"]);
    // a scheduled run with no branch ref (a tag, or none): asked
    const tagged = context({ name: "schedule", payload: {} }, { GITHUB_REF: "refs/tags/v1" });
    expect(await defaultBranchOf(tagged.ctx)).toBe("trunk");
    expect(tagged.asked).toEqual(["GET /repos/acme/crm"]);
  });
});

describe("which workflow a run of the repository's runs list is of", () => {
  it("reads the workflow file from each form of `path` GitHub writes", () => {
    expect(workflowFileOf(".github/workflows/mission-command.yml")).toBe("mission-command.yml");
    expect(workflowFileOf(".github/workflows/mission-command.yml@main")).toBe("mission-command.yml");
    expect(workflowFileOf("acme/crm/.github/workflows/mission-pulse.yml@refs/heads/main")).toBe("mission-pulse.yml");
    expect(workflowFileOf("dynamic/github-code-scanning/codeql")).toBeUndefined();
    expect(workflowFileOf(undefined)).toBeUndefined();
  });
});
