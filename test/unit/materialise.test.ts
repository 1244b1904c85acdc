import { describe, expect, it } from "vitest";
import { materialise, recordIssue, type MaterialiseAction as Action, type FoundIssue, type Ref } from "../../src/mission/plan/materialise.js";
import { answered, plan } from "../support/missions.js";

const kinds = (actions: Action[]) => actions.map((a) => a.kind);
const creates = (actions: Action[]) => actions.flatMap((a) => (a.kind === "create-issue" ? [a.ref] : []));

describe("materialising an approved plan", () => {
  it("ensures the labels, then creates each milestone with its features under it", () => {
    const m = answered({ status: "active", plan: plan([2, 3, 2]) });
    const actions = materialise(m, new Map());
    expect(actions[0]!.kind).toBe("ensure-labels");
    expect(creates(actions)).toEqual([
      "milestone:1", "feature:1.1", "feature:1.2",
      "milestone:2", "feature:2.1", "feature:2.2", "feature:2.3",
      "milestone:3", "feature:3.1", "feature:3.2",
    ]);
    expect(actions).toContainEqual({ kind: "link-sub-issue", parent: "tracking", child: "milestone:2" });
    expect(actions).toContainEqual({ kind: "link-sub-issue", parent: "milestone:2", child: "feature:2.3" });
    const create = actions.find((a) => a.kind === "create-issue" && a.ref === "feature:2.1");
    expect(create).toMatchObject({ labels: ["mission:m-20261124-crm-7", "mission:feature"] });
    expect(create && "body" in create && create.body).toContain("<!-- mission-bot:m-20261124-crm-7:feature:2.1 -->");
  });

  it("links a dependency only after every feature of its milestone exists, even one listed later", () => {
    const m = answered({ status: "active", plan: plan([3, 2, 2], { "1.1": ["1.3"] }) });
    const actions = materialise(m, new Map());
    const dep = actions.findIndex((a) => a.kind === "add-blocked-by");
    const lastCreate = actions.findIndex((a) => a.kind === "create-issue" && a.ref === "feature:1.3");
    expect(actions[dep]).toEqual({ kind: "add-blocked-by", blocked: "feature:1.1", blocking: "feature:1.3" });
    expect(dep).toBeGreaterThan(lastCreate);
    const record = actions.findIndex((a) => a.kind === "record-issue" && a.ref === "feature:1.1");
    expect(record).toBeGreaterThan(dep);
  });

  it("never creates an issue its marker shows exists; it links and records it instead", () => {
    const m = answered({ status: "active", plan: plan([2, 2, 2]) });
    const issues = new Map<Ref, FoundIssue>([
      ["milestone:1", { number: 10, id: 1010, state: "open" }],
      ["feature:1.1", { number: 11, id: 1011, state: "open" }],
    ]);
    const actions = materialise(m, issues);
    expect(creates(actions)).not.toContain("milestone:1");
    expect(creates(actions)).not.toContain("feature:1.1");
    expect(creates(actions)).toContain("feature:1.2");
    expect(actions).toContainEqual({ kind: "link-sub-issue", parent: "tracking", child: "milestone:1" });
    expect(actions).toContainEqual({ kind: "record-issue", ref: "feature:1.1" });
  });

  it("with every issue recorded, does nothing", () => {
    let m = answered({ status: "active", plan: plan([2, 2, 2]) });
    let n = 10;
    for (const ms of m.plan!.milestones) {
      m = recordIssue(m, `milestone:${ms.key}`, { number: n, id: n * 100 }); n++;
      for (const f of ms.features) { m = recordIssue(m, `feature:${f.key}`, { number: n, id: n * 100 }); n++; }
    }
    expect(kinds(materialise(m, new Map()))).toEqual([]);
  });
});

describe("materialising on a server without sub-issues or dependencies (an older Enterprise Server)", () => {
  it("creates every feature of a milestone, lists them in the milestone issue, then records them; no links, said once", () => {
    const m = answered({ status: "active", plan: plan([2, 2, 2], { "1.2": ["1.1"] }) });
    const actions = materialise(m, new Map(), { subIssues: false, dependencies: false });
    expect(actions.filter((a) => a.kind === "link-sub-issue" || a.kind === "add-blocked-by")).toEqual([]);
    const at = (pred: (a: Action) => boolean) => actions.findIndex(pred);
    const list1 = at((a) => a.kind === "list-features" && a.milestone === "milestone:1");
    expect(list1).toBeGreaterThan(at((a) => a.kind === "create-issue" && a.ref === "feature:1.2"));
    expect(list1).toBeLessThan(at((a) => a.kind === "record-issue" && a.ref === "feature:1.1"));
    expect(list1).toBeLessThan(at((a) => a.kind === "record-issue" && a.ref === "feature:1.2"));
    expect(actions.filter((a) => a.kind === "list-features")).toHaveLength(3);
    expect(actions.filter((a) => a.kind === "comment").map((a) => a.kind === "comment" && a.key)).toEqual(["no-sub-issues"]);
  });

  it("has nothing to say once every issue is recorded and the notice said", () => {
    const m = answered({ status: "active", plan: plan([2, 2, 2]) });
    let done = m;
    for (const a of materialise(m, new Map(), { subIssues: false })) if (a.kind === "record-issue") done = recordIssue(done, a.ref, { number: 1, id: 1 });
    const issues = new Map([["milestone:1" as Ref, { number: 1, id: 1, state: "open" as const }]]);
    // an apply cut short by its limits after the last record, before the notice: the notice still comes, alone
    expect(materialise(done, issues, { subIssues: false }).map((a) => a.kind === "comment" && a.key)).toEqual(["no-sub-issues"]);
    expect(materialise({ ...done, notices: [...done.notices, "no-sub-issues"] }, issues, { subIssues: false })).toEqual([]);
    // a plan not on GitHub yet says nothing before its first issue
    expect(materialise({ ...m, plan: { ...m.plan!, milestones: [] } }, new Map(), { subIssues: false })).toEqual([]);
  });
});
