/**
 * State commits start no CI (test/twin/RULES.md rule 9): a commit made with
 * an App installation token starts the `on: push` workflows of the commit
 * it makes, unless its message asks to skip CI. The bot's mission.md
 * commits go to the orphan state branch (no workflows on it) and say
 * `[skip ci]`; with `state_branch` set to the default branch, the words
 * alone must keep the repository's CI quiet.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { BOT, expectClean, missionOf, playMission, world } from "./support.js";

/** A CI workflow on every push to any branch, as many repositories have. */
const CI = { ".github/workflows/ci.yml": "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n" };

let h: Harness;
afterEach(() => h?.stop());

/** The commits the bot made on `branch` (newest first), by walking its history. */
function botCommits(branch: string): Array<{ message: string }> {
  const repo = h.twin.repo();
  const out: Array<{ message: string }> = [];
  let sha = repo.branches.get(branch);
  while (sha) {
    const c = repo.commits.get(sha)!;
    if (c.author.name === BOT || c.committer.name === BOT) out.push({ message: c.message });
    sha = c.parents[0];
  }
  return out;
}

describe("state commits start no CI", () => {
  it("a whole mission on the App's token commits its state to the orphan state branch, with [skip ci], and starts no ci.yml run", async () => {
    const w = world({ files: CI });
    h = w.h;
    const played = await playMission(h, w.runners);
    expect(missionOf(h, played.missionId).status).toBe("completed");

    const commits = botCommits("mission-bot/state");
    expect(commits.length).toBeGreaterThan(5);
    expect(commits.every((c) => c.message.includes("[skip ci]"))).toBe(true);
    expect(h.twin.readFile(".github/workflows/ci.yml", { ref: "mission-bot/state" })).toBeUndefined();
    expect(h.twin.actions.runsOf("ci.yml")).toEqual([]);
    expectClean(h);
  });

  it("with state_branch: main, every state commit carries [skip ci], so ci.yml still never runs", async () => {
    const w = world({ files: CI, settings: "state_branch: main\n" });
    h = w.h;
    const played = await playMission(h, w.runners);
    expect(missionOf(h, played.missionId, "main").status).toBe("completed");

    expect(h.twin.readFile(".github/workflows/ci.yml", { ref: "main" })).toBeDefined();
    expect(h.twin.actions.runsOf("ci.yml").map((r) => r.display_title)).toEqual([]);
    const commits = botCommits("main");
    expect(commits.length).toBeGreaterThan(5);
    expect(commits.every((c) => c.message.includes("[skip ci]"))).toBe(true);
    expectClean(h);
  });
});
