/**
 * Replanning a running mission (finished work kept, dropped work closed,
 * new work created once), the outline planner's honest refusal, the
 * planner's spend in the ledger, and the /mission status report.
 */
import { describe, expect, it } from "vitest";
import { afterPlan, decide } from "../../src/mission/conversation/conversation.js";
import { mergeReplan, closeDropped } from "../../src/mission/plan/replan.js";
import { outlinePlanner } from "../../src/mission/plan/outline.js";
import { AnthropicPlanner, type MessagesClient } from "../../src/planner/anthropic.js";
import { reconcile } from "../../src/mission/reconcile.js";
import { renderStatusReport } from "../../src/mission/markdown/status-report.js";
import { Plan, type Mission } from "../../src/mission/model.js";
import type { FoundIssue, Ref } from "../../src/mission/decision.js";
import { answered, config, plan, snapshotOf, withIssues } from "../support/missions.js";
import { TEST_EPOCH } from "../support/clock.js";
import { CRM_OUTLINE } from "../support/outline.js";
import { mapFeatures } from "../../src/mission/workers/workers.js";

const NOW = new Date(TEST_EPOCH + 3 * 3_600_000).toISOString();

/** A running mission of 3 milestones × 2 features with issues; 1.1 done, 1.2 running. */
function running(): Mission {
  const m = withIssues(answered({ status: "active", plan: plan() }));
  return mapFeatures(m, (f) =>
    f.key === "1.1"
      ? { ...f, done: { by: "mission-bot[bot]", at: NOW } }
      : f.key === "1.2"
        ? { ...f, runs: [{ try: 1, dispatched_at: NOW, status: "in_progress", run_id: 555 }] }
        : f,
  );
}

/** The new plan: 1.1 and 1.2 left out of milestone 1 (1.3, 1.4 instead), 2.2 dropped, 2.3 added. */
function proposed(): Plan {
  const p = plan([2, 2, 2]);
  const ms = p.milestones;
  ms[0]!.features = [1, 2].map((n) => ({ ...ms[0]!.features[0]!, key: `1.${n + 2}`, title: `Replacement ${n}` }));
  ms[1]!.features = [ms[1]!.features[0]!, { ...ms[1]!.features[1]!, key: "2.3", title: "Deal pipeline" }];
  return Plan.parse({ ...p, source: "claude" });
}

describe("replanning a running mission", () => {
  it("keeps finished work, drops what the new plan drops (cancelling its worker), adds the new", () => {
    const merged = mergeReplan(running().plan!, proposed(), NOW, "Dropped by the replan: focus on deals");
    const keys = merged.plan.milestones.map((m) => m.features.map((f) => f.key));
    expect(keys).toEqual([["1.3", "1.4", "1.1"], ["2.1", "2.3"], ["3.1", "3.2"]]);
    expect(merged.plan.milestones[0]!.features[2]!.done).toBeDefined();
    expect(merged.changes.kept.map((k) => k.key)).toEqual(["1.1"]);
    expect(merged.changes.dropped.map((k) => k.key).sort()).toEqual(["1.2", "2.2"]);
    expect(merged.changes.added.map((k) => k.key)).toEqual(["1.3", "1.4", "2.3"]);
    expect(merged.cancel).toEqual([555]);
    // kept features keep their issues; new ones have none yet (materialise creates them)
    expect(merged.plan.milestones[1]!.features[0]!.issue).toBeDefined();
    expect(merged.plan.milestones[1]!.features[1]!.issue).toBeUndefined();
    expect(merged.plan.dropped!.map((d) => [d.key, d.issue?.number])).toEqual([["1.2", 12], ["2.2", 15]]);
  });

  it("never gives a new feature the key of a dropped one", () => {
    const first = mergeReplan(running().plan!, proposed(), NOW, "first");
    const again = plan([2, 2, 2]);
    again.milestones[1]!.features[1] = { ...again.milestones[1]!.features[1]!, key: "2.2", title: "Something else" };
    const second = mergeReplan(first.plan, again, NOW, "second");
    const keys = second.plan.milestones[1]!.features.map((f) => f.key);
    expect(keys).not.toContain("2.2");
    expect(second.changes.renumbered).toEqual([{ from: "1.2", to: "1.5" }, { from: "2.2", to: "2.4" }]);
  });

  it("closes each dropped issue as not planned, with the reason, while it is open", () => {
    const merged = mergeReplan(running().plan!, proposed(), NOW, "focus on deals");
    const issues = new Map<Ref, FoundIssue>([
      ["feature:1.2", { number: 12, id: 12000, state: "open" }],
      ["feature:2.2", { number: 15, id: 15000, state: "closed" }],
    ]);
    const actions = closeDropped(merged.plan, issues, (d) => d.reason);
    expect(actions).toEqual([
      { kind: "comment", on: "feature:1.2", key: "dropped:feature:1.2", body: "focus on deals" },
      { kind: "close-issue", ref: "feature:1.2", reason: "not_planned" },
    ]);
  });

  it("is what /mission replan on an approved mission leads to, and the answer shows what changed", () => {
    const m = running();
    const step = decide({ command: { name: "replan", change: "focus on deals" }, mission: m, author: "alice", now: NOW, repo: m.repo, issue: { number: 7, title: "CRM" }, config });
    expect(step.kind).toBe("plan");
    const after = afterPlan({ mission: m, result: { ok: true, plan: proposed() }, config, plannerName: "claude", change: "focus on deals", now: NOW });
    expect(after.mission!.status).toBe("active");
    expect(after.reply).toContain("### What changed");
    expect(after.reply).toContain('Dropped feature 2.2 "Feature 2.2"');
    expect(after.reply).toContain('Added feature 2.3 "Deal pipeline"');
    expect(after.reply).toContain('Kept feature 1.1 "Feature 1.1"');
    expect(after.cancelRuns).toEqual([555]);
  });
});

describe("the outline planner and /mission replan", () => {
  it("says it cannot replan from words, and how to edit the outline, instead of re-posting the same plan", async () => {
    const first = await outlinePlanner.plan({ mission: answered(), issueBody: CRM_OUTLINE });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const again = await outlinePlanner.plan({ mission: answered(), issueBody: CRM_OUTLINE, change: "split milestone 2", previous: first.plan });
    expect(again.ok).toBe(false);
    expect(!again.ok && again.cannot).toContain("edit the outline in the issue body");
    const reply = afterPlan({ mission: answered({ status: "planned", plan: first.plan }), result: again, config, plannerName: "outline" });
    expect(reply.reply).toContain("cannot replan from a request in words");
    expect(reply.reply).not.toContain("could not produce a plan");
  });
});

describe("the planner's spend", () => {
  it("comes back from the model's usage over every call, a retry included, and odd figures are not believed", async () => {
    const answers = ["not json", JSON.stringify({ milestones: plan().milestones.map(({ key, title, description, features }) => ({ key, title, description, features: features.map(({ key, title, description, acceptance, size, depends_on }) => ({ key, title, description, acceptance, size, depends_on })) })) })];
    const usages: unknown[] = [{ input_tokens: 1000, output_tokens: 200 }, { input_tokens: 1500, output_tokens: 900, cache_read_input_tokens: -5 }];
    let n = 0;
    const client: MessagesClient = { messages: { async create() { const i = n++; return { content: [{ type: "text", text: answers[i]! }], stop_reason: "end_turn", usage: usages[i] }; } } };
    const result = await new AnthropicPlanner({ model: "claude-sonnet-4-5", client }).plan({ mission: answered(), issueBody: "" });
    expect(result.ok).toBe(true);
    expect(result.usage).toEqual({ model: "claude-sonnet-4-5", tokens_in: 2500, tokens_out: 1100, calls: 2 });
  });

  it("is booked in the ledger as a planner entry when the plan arrives", () => {
    const m = answered({ status: "scoping", planning: { comment: 99, at: NOW } });
    const s = { ...snapshotOf(m), planned: { result: { ok: true as const, plan: plan(), usage: { model: "claude-sonnet-4-5", tokens_in: 10_000, tokens_out: 2_000, calls: 1 } }, plannerName: "claude-sonnet-4-5" } };
    const d = reconcile(s);
    const entry = d.mission!.ledger.find((e) => e.kind === "planner");
    expect(entry).toMatchObject({ kind: "planner", model: "claude-sonnet-4-5", tokens_in: 10_000, tokens_out: 2_000 });
    // $3 in and $15 out per million tokens
    expect(entry!.cost_micros).toBe(60_000);
  });
});

describe("/mission status", () => {
  it("posts a progress report: milestones, spend against budget and forecast, what runs, what waits and why", () => {
    const m = running();
    const step = decide({ command: { name: "status" }, mission: m, author: "alice", now: NOW, repo: m.repo, issue: { number: 7, title: "CRM" }, config });
    const report = step.kind === "reply" ? step.reply : "";
    expect(report).toContain("1 of 6 features done");
    expect(report).toMatch(/\| 1\. Milestone 1 \| ▶️ in progress \| 1 \/ 2 \|/);
    expect(report).toMatch(/\| 2\. Milestone 2 \| ⏳ waiting/);
    expect(report).toContain("Forecast");
    expect(report).toMatch(/\| Money \| \$0(\.00)? \| \$500/);
    expect(report).toContain('- 1.2 "Feature 1.2": worker try 1 running');
    expect(report).toContain('- 2.1 "Feature 2.1": milestone 2 starts after milestone 1 is accepted');
    expect(renderStatusReport(m, config, NOW, []).split("\n").length).toBeGreaterThan(15);
  });
});
