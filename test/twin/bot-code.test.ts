/**
 * The bot's own GitHub code against the twin: the helpers in src/github/
 * that read files, check permissions and read a mission's issues get the
 * answers GitHub would give. (Kept apart from twin.test.ts so the twin's own
 * tests do not depend on src/.)
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { missionIssueCandidates } from "../../src/github/loop-facts.js";
import { ConflictError } from "../../src/github/client.js";
import { mayCommand } from "../../src/github/permission.js";
import { readFile, writeFile } from "../../src/github/repo-files.js";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { botOctokit, type TwinOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";

const repo = { owner: "acme", repo: "rocket" };
let twin: GitHubTwin;
let stop: () => void;
let octokit: TwinOctokit;

beforeEach(() => {
  twin = contractTwin();
  twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin" } });
  stop = serveWithNock(twin);
  octokit = botOctokit(twin);
});

afterEach(() => {
  stop();
  expect(twin.contractFailures).toEqual([]);
});

describe("src/github/repo-files", () => {
  it("a file changed underneath the bot is a ConflictError, never an overwrite", async () => {
    const path = "todo/missions/m-1/mission.md";
    const where = { branch: "main", defaultBranch: "main" };
    const sha = await writeFile(octokit, repo, { path, text: "v1\n", message: "create", ...where });
    expect(await readFile(octokit, repo, path)).toEqual({ text: "v1\n", sha });
    twin.tamperFile(path, "edited by a person\n");
    await expect(writeFile(octokit, repo, { path, text: "v2\n", message: "update", sha, ...where })).rejects.toBeInstanceOf(ConflictError);
    // without a sha, an existing file is a conflict too
    await expect(writeFile(octokit, repo, { path, text: "v2\n", message: "update", ...where })).rejects.toBeInstanceOf(ConflictError);
    expect(twin.readFile(path)?.text).toBe("edited by a person\n");
    expect(await readFile(octokit, repo, "missing.md")).toBeNull();
  });
});

describe("src/github/permission", () => {
  it("lets admin, maintain and write command; not triage, read or strangers", async () => {
    twin.setPermission("mia", "maintain");
    twin.setPermission("wes", "write");
    twin.setPermission("tom", "triage");
    twin.setPermission("rita", "read");
    const verdicts = await Promise.all(["alice", "mia", "wes", "tom", "rita", "nobody"].map((u) => mayCommand(octokit, repo, u)));
    expect(verdicts).toEqual([true, true, true, false, false, false]);
  });
});

describe("src/github/loop-facts", () => {
  it("finds a mission's issues by label and marker, and only the bot's own", async () => {
    const bot = twin.as("mission-bot[bot]");
    bot.createIssue({ title: "one", labels: ["mission:m-1"], body: "<!-- mission-bot:m-1:feature:1.1 -->" });
    bot.createIssue({ title: "two", labels: ["mission:m-1"], body: "<!-- mission-bot:m-1:feature:1.2 -->" });
    bot.createIssue({ title: "other", labels: ["mission:m-2"], body: "<!-- mission-bot:m-2:feature:1.1 -->" });
    // a person copies a marker and the label: it is not the mission's
    twin.as("alice").createIssue({ title: "forged", labels: ["mission:m-1"], body: "<!-- mission-bot:m-1:feature:1.3 -->" });
    bot.closeIssue(2);
    const found = await missionIssueCandidates(octokit, repo, "m-1", "mission-bot[bot]");
    expect([...found.keys()].sort()).toEqual(["feature:1.1", "feature:1.2"]);
    expect(found.get("feature:1.2")).toEqual([expect.objectContaining({ number: 2, id: twin.issue(2).id, state: "closed" })]);
  });
});
