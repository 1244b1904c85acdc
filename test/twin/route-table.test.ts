/**
 * The twin without a contract (as `mission-bot sandbox` runs it): its own
 * route table resolves every route it implements to the same template, with
 * the same parameters, as GitHub's REST description does; and it serves the
 * bot's requests unchecked but otherwise alike.
 */
import { afterEach, describe, expect, it } from "vitest";
import { testClock } from "../support/clock.js";
import { ROUTES } from "../../src/twin/routes.js";
import { resolveOwnRoute } from "../../src/twin/route-table.js";
import { GitHubTwin } from "../../src/twin/state.js";
import { botOctokit } from "../../src/twin/octokit.js";
import { readFile, writeFile } from "../../src/github/repo-files.js";
import { resolveRoute } from "../support/contract.js";
import { serveWithNock } from "../support/twin-nock.js";

const VALUES: Record<string, string[]> = {
  owner: ["acme"],
  repo: ["rocket"],
  template_owner: ["acme"],
  template_repo: ["starter"],
  issue_number: ["7"],
  comment_id: ["42"],
  issue_id: ["9"],
  name: ["bug", "mission%3Am-1"],
  path: ["README.md", "todo%2Fmissions%2Fm-1%2Fmission.md", "todo/missions/m-1/mission.md"],
  username: ["alice"],
  installation_id: ["1"],
  workflow_id: ["mission-worker.yml", "123"],
  run_id: ["5"],
  file_sha: ["3b18e512dba79e4c8300dd08aeb37f8e728b8dad"],
  commit_sha: ["7638417db6d59f3c431d3e1f261cc637155684cd"],
  ref: ["heads/main", "heads/mission%2Fm-1", "heads/mission/m-1"],
  org: ["acme"],
  user_id: ["161"],
  project_number: ["1"],
  field_id: ["11"],
  item_id: ["12"],
  view_number: ["2"],
  secret_name: ["MISSION_CARD"],
  environment_name: ["production"],
};

/** Every concrete path a template stands for, with the values above. */
function paths(template: string): string[] {
  let out = [""];
  for (const seg of template.split("/").slice(1)) {
    const m = /^\{([^}]+)\}$/.exec(seg);
    const options = m ? VALUES[m[1]!] : [seg];
    if (!options) throw new Error(`no sample value for {${m![1]}} in ${template}`);
    out = out.flatMap((p) => options.map((o) => `${p}/${o}`));
  }
  return out;
}

describe("the twin's own route table", () => {
  const cases = [...ROUTES.keys()].flatMap((key) => {
    const [method, template] = key.split(" ") as [string, string];
    return paths(template).map((path) => [method, path] as const);
  });

  it.each(cases)("%s %s resolves as GitHub's description resolves it", (method, path) => {
    const documented = resolveRoute(method, path);
    expect(documented, "the twin implements a route GitHub does not document").toBeDefined();
    expect(resolveOwnRoute(ROUTES, method, path)).toEqual({ template: documented!.template, params: documented!.params });
  });

  it("resolves nothing the twin does not implement", () => {
    expect(resolveOwnRoute(ROUTES, "GET", "/repos/acme/rocket/releases")).toBeUndefined();
    expect(resolveOwnRoute(ROUTES, "DELETE", "/repos/acme/rocket/issues/7")).toBeUndefined();
    expect(resolveOwnRoute(ROUTES, "GET", "/repos/acme/rocket/contents/%E0%A4%A")).toBeUndefined();
  });
});

describe("a twin without a contract", () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it("serves the bot as a checked twin does, and records no contract failures", async () => {
    const twin = new GitHubTwin({ now: testClock() });
    twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin" } });
    stop = serveWithNock(twin);
    const octokit = botOctokit(twin);
    const repo = { owner: "acme", repo: "rocket" };
    const sha = await writeFile(octokit, repo, { path: "todo/missions/m-1/mission.md", text: "v1\n", message: "create", branch: "main", defaultBranch: "main" });
    expect(await readFile(octokit, repo, "todo/missions/m-1/mission.md")).toEqual({ text: "v1\n", sha });
    const { data: issue } = await octokit.rest.issues.create({ ...repo, title: "hello", labels: ["mission"] });
    expect(issue.number).toBe(1);
    // unknown routes are still 404, as an unimplemented route of a checked twin
    await expect(octokit.request("GET /repos/{owner}/{repo}/releases", repo)).rejects.toMatchObject({ status: 404 });
    expect(twin.unimplemented).toEqual([{ method: "GET", route: "/repos/acme/rocket/releases" }]);
    expect(twin.contractFailures).toEqual([]);
    expect(twin.events.map((e) => `${e.name}.${e.action}`)).toContain("issues.opened");
  });

  it("refuses to check responses with nothing to check them against", () => {
    expect(() => new GitHubTwin({ checkResponses: true })).toThrow(/needs a contract/);
  });
});
