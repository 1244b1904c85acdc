/**
 * GITHUB_TOKEN's 1,000 requests an hour (test/twin/RULES.md): a POC
 * feature its worker finished costs one write of its issue. In
 * Actions-only mode the worker's report step posts the report and closes
 * nothing; the mission's next command run reads the report, counts the
 * feature done, and ticks its acceptance criteria and closes its issue in
 * one PATCH. One mission of two features, its workers, pulses and command
 * runs as GitHub runs them (bench/actions-day.ts), for two hours.
 */
import { describe, expect, it } from "vitest";
import { actionsDay, ACTIONS_BOT } from "../../../bench/actions-day.js";
import type { GitHubTwin } from "../../../src/twin/state.js";
import { LABELS } from "../../../src/mission/model.js";
import { readReport } from "../../../src/mission/workers/report.js";

describe("a POC feature its worker finished, Actions only", () => {
  it("is closed by the bot's command run in the one PATCH that ticks its acceptance criteria, after the report", { timeout: 60_000 }, async () => {
    let seen: { twin: GitHubTwin; owner: Map<number, string> } | undefined;
    const day = await actionsDay({ missions: 1, hours: 2, shape: [2], inspect: async (twin, _api, owner) => void (seen = { twin, owner: owner! }) });
    expect(day.workerRuns).toBe(2);
    const { twin, owner } = seen!;

    const features = twin.issuesOf().filter((i) => i.labels.includes(LABELS.feature));
    expect(features).toHaveLength(2);
    for (const f of features) {
      expect(f.state).toBe("closed");
      expect(f.state_reason).toBe("completed");
      expect(f.closed_by?.login).toBe(ACTIONS_BOT);
      expect(f.body).toMatch(/Met, checked by the bot: worker run \d+ reported success[^\n]*\n\n- \[x\] /);

      const path = `/repos/${twin.repo().full_name}/issues/${f.number}`;
      const reported = twin.log.find((e) => e.method === "POST" && e.path === `${path}/comments` && e.status === 201 && readReport(String((e.body as { body?: string })?.body ?? "")).found)!;
      expect(reported).toBeDefined();
      const patches = twin.log.filter((e) => e.method === "PATCH" && e.path === path && e.seq > reported.seq);
      // one write, by the command run (the bot), with the ticked body and the close together
      expect(patches).toHaveLength(1);
      expect(patches[0]!.status).toBe(200);
      expect(owner.get(patches[0]!.seq)).toBe("command");
      expect(patches[0]!.body).toMatchObject({ state: "closed", state_reason: "completed", body: expect.stringContaining("- [x] ") });
    }
  });
});
