/**
 * The worker's prompt step (src/action/prompt.ts) reads its files through
 * GraphQL (rule 29, files-query.ts): `.github/mission.yml`, mission.md and
 * the promoted agents in one query, the mission's own agents and the
 * standing instructions in one more. Every worker run pays these on the
 * repository's GITHUB_TOKEN (1,000 REST requests an hour); only the feature
 * issue stays a REST read (its author is what the trust checks compare). The
 * prompt is the one the REST reads give, and settings that name another
 * state branch or agents folder are read where they say.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { run } from "../../../src/action/prompt.js";
import { marker } from "../../../src/mission/markers.js";
import { renderMissionFile } from "../../../src/mission/markdown/mission-file.js";
import { missionPath } from "../../../src/mission/model.js";
import { agentPath } from "../../../src/mission/workspace/model.js";
import type { Octokit } from "../../../src/github/client.js";
import { actionsOctokit } from "../../../src/twin/octokit.js";
import type { GitHubTwin } from "../../../src/twin/state.js";
import { fakeActionContext } from "../../support/action-context.js";
import { TEST_EPOCH, testMissionId } from "../../support/clock.js";
import { answered, plan, STATE_BRANCH } from "../../support/missions.js";
import { contractTwin } from "../../support/twin.js";
import { serveWithNock } from "../../support/twin-nock.js";

const REPO = "acme/crm";
const ID = testMissionId("crm", 7);
let twin: GitHubTwin;
let stop: (() => void) | undefined;
afterEach(() => stop?.());

const agent = (name: string, body: string) => `---\nname: ${name}\npurpose: ${name} in this repository\nstatus: draft\nsource_mission: ${ID}\nused_by: ["1.1"]\n---\n${body}\n`;
const record = (name: string) => ({ name, purpose: "p", reason: "missing-context" as const, from: ["1.1"], drafted_at: new Date(TEST_EPOCH).toISOString(), used_by: ["1.1"], written: true });

/** A mission with two promoted agents in `agentsFolder`, one of its own, standing instructions, and its feature 1.1's issue. */
function world(opts: { settings?: string; stateBranch?: string; agentsFolder?: string } = {}) {
  const stateBranch = opts.stateBranch ?? STATE_BRANCH;
  const agentsFolder = opts.agentsFolder ?? ".github/mission-agents";
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({ owner: "acme", name: "crm", ownerType: "Organization", collaborators: { alice: "write" } });
  twin.writeFile(".github/mission.yml", opts.settings ?? "worker:\n  prompt_file: .github/mission-worker.md\n");
  twin.writeFile(".github/mission-worker.md", "Run npm test before you finish.\n");
  twin.writeFile(`${agentsFolder}/testing.md`, agent("testing", "Run npm test."));
  twin.writeFile(`${agentsFolder}/style.md`, agent("style", "Prettier decides."));
  twin.createBranch(stateBranch, { orphan: true });
  const m = answered({ id: ID, repo: REPO, status: "active", plan: plan([1, 1]), constraints: ["no new dependencies"], agents: [record("stripe-webhooks")] });
  twin.writeFile(missionPath(ID), renderMissionFile(m), { branch: stateBranch });
  twin.writeFile(agentPath(ID, "stripe-webhooks"), agent("stripe-webhooks", "Listen to checkout.session.completed."), { branch: stateBranch });
  const issue = twin.as("github-actions[bot]").createIssue({ title: `[${ID}] 1.1 Contacts list`, body: `Show all contacts.\n\n${marker({ kind: "feature", mission: ID, key: "1.1" })}` });
  stop = serveWithNock(twin);
  return { issue: issue.number };
}

/** The prompt step as the worker workflow runs it (the agent job's read-only GITHUB_TOKEN): its prompt, outputs and what it asked of GitHub. */
async function promptStep(issue: number) {
  const dir = mkdtempSync(join(tmpdir(), "mission-prompt-"));
  const f = fakeActionContext({ mission: ID, feature: "1.1", issue: String(issue), "worker-mode": "full", base: "main" }, { RUNNER_TEMP: dir });
  const octokit = actionsOctokit(twin, REPO, { permissions: { contents: "read", issues: "read" } }) as unknown as Octokit;
  const from = twin.log.length;
  await run({ ...f.ctx, octokit });
  const asked = twin.log.slice(from);
  return {
    prompt: readFileSync(join(dir, "mission-prompt", "prompt.md"), "utf8"),
    outputs: f.outputs,
    graphql: asked.filter((e) => e.path.endsWith("/graphql")).length,
    rest: asked.filter((e) => !e.path.endsWith("/graphql")).map((e) => `${e.method} ${e.path}`),
  };
}

/** The same step with GraphQL refused: the REST reads of before. */
async function byRest(issue: number) {
  const fault = twin.fault({ kind: "bad-gateway", route: "/graphql", times: Infinity });
  try {
    return await promptStep(issue);
  } finally {
    fault.times = 0;
  }
}

describe("the worker's prompt step reads its files in two GraphQL queries", () => {
  it("two promoted agents, one of the mission's own and standing instructions: 1 REST request (the issue) and 2 queries, for the prompt the REST reads give", async () => {
    const { issue } = world();
    const step = await promptStep(issue);
    expect(step.rest).toEqual([`GET /repos/${REPO}/issues/${issue}`]);
    expect(step.graphql).toBe(2);
    expect(step.prompt).toContain('<mission_agent name="testing" from="repository">');
    expect(step.prompt).toContain('<mission_agent name="style" from="repository">');
    expect(step.prompt).toContain('<mission_agent name="stripe-webhooks" from="mission">');
    expect(step.prompt).toContain("## Instructions of this repository\nRun npm test before you finish.");
    expect(step.prompt).toContain("- no new dependencies");

    const rest = await byRest(issue);
    expect(rest.prompt).toBe(step.prompt);
    expect({ ...rest.outputs, "prompt-file": "" }).toEqual({ ...step.outputs, "prompt-file": "" });
    expect(rest.rest.length).toBeGreaterThan(6); // mission.yml, mission.md, the folder, 2 + 1 agents, the instructions, the issue
    expect(twin.contractFailures).toEqual([]);
  }, 30_000);

  it("settings that name another state branch and agents folder: mission.md and the agents are read there", async () => {
    const { issue } = world({
      settings: "state_branch: bot/state\nworker:\n  prompt_file: .github/mission-worker.md\n  agents_folder: .github/agents\n",
      stateBranch: "bot/state",
      agentsFolder: ".github/agents",
    });
    const step = await promptStep(issue);
    expect(step.prompt).toContain('<mission_agent name="testing" from="repository">');
    expect(step.prompt).toContain('<mission_agent name="style" from="repository">');
    expect(step.prompt).toContain('<mission_agent name="stripe-webhooks" from="mission">');
    expect(step.prompt).toContain("- no new dependencies");
    // the issue, and mission.md on bot/state (the first query looked on the default state branch)
    expect(step.rest).toEqual([`GET /repos/${REPO}/issues/${issue}`, `GET /repos/${REPO}/contents/${encodeURIComponent(missionPath(ID))}`]);
    expect(step.graphql).toBe(2);
    expect((await byRest(issue)).prompt).toBe(step.prompt);
    expect(twin.contractFailures).toEqual([]);
  }, 30_000);

  it("gives the worker at most 8 promoted agents, the same 8 as the REST listing", async () => {
    const { issue } = world();
    for (let i = 0; i < 10; i++) twin.writeFile(`.github/mission-agents/extra-${i}.md`, agent(`extra-${i}`, `Extra ${i}.`));
    const step = await promptStep(issue);
    const promoted = (prompt: string) => [...prompt.matchAll(/<mission_agent name="([^"]+)" from="repository">/g)].map((x) => x[1]);
    expect(promoted(step.prompt)).toHaveLength(8);
    expect(step.graphql).toBe(2);
    expect(promoted((await byRest(issue)).prompt)).toEqual(promoted(step.prompt));
  }, 30_000);

  it("refuses the run when worker.prompt_file is not on the default branch, as before", async () => {
    const { issue } = world({ settings: "worker:\n  prompt_file: .github/nowhere.md\n" });
    const dir = mkdtempSync(join(tmpdir(), "mission-prompt-"));
    const f = fakeActionContext({ mission: ID, feature: "1.1", issue: String(issue), "worker-mode": "full", base: "main" }, { RUNNER_TEMP: dir });
    const octokit = actionsOctokit(twin, REPO, { permissions: { contents: "read", issues: "read" } }) as unknown as Octokit;
    const said = "worker.prompt_file .github/nowhere.md does not exist on the default branch";
    await expect(run({ ...f.ctx, octokit })).rejects.toThrow(said);
    expect(f.outputs).toEqual({ refusal: said });
  }, 30_000);
});
