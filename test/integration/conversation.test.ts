/**
 * The /mission conversation end to end, in process: the Probot app against
 * the GitHub twin, deliveries from webhook examples as GitHub would send
 * them, every request checked against GitHub's REST description.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseMissionFile } from "../../src/mission/markdown/mission-file.js";
import { harness, type Harness } from "../support/app-harness.js";
import { TEST_DAY } from "../support/clock.js";
import { STATE_BRANCH } from "../support/missions.js";
import { CRM_OUTLINE } from "../support/outline.js";

const OUTLINE = CRM_OUTLINE;

let h: Harness;
afterEach(() => {
  h?.stop();
  // Every request was one GitHub accepts, and every answer the twin gave is one GitHub documents.
  expect(h.twin.contractFailures).toEqual([]);
  expect(h.twin.responseFailures, h.twin.responseFailures.join("\n")).toEqual([]);
});

function comments(h: Harness, issue: number) {
  const id = h.twin.issue(issue).id;
  return [...h.twin.comments.values()].filter((c) => c.issueId === id).map((c) => ({ user: c.user.login, body: c.body }));
}

function botReplies(h: Harness, issue: number) {
  return comments(h, issue).filter((c) => c.user === "mission-bot[bot]");
}

async function startMission(h: Harness) {
  const tracking = h.twin.as("alice").createIssue({ title: "CRM", body: OUTLINE });
  // one budget flag left out, so the interview asks for it and for constraints and preferences (all four given: it would not)
  h.twin.as("alice").comment(tracking.number, "/mission Build a CRM with contacts, deals and email --mode poc --budget $500 --hours 40");
  await h.pump();
  return tracking.number;
}

/** Started, answered and approved. */
async function approvedMission(h: Harness): Promise<number> {
  const tracking = await startMission(h);
  h.twin.as("alice").comment(tracking, "/mission answer\ntokens: 50M\nconstraints: none\npreferences: none");
  await h.pump();
  h.twin.as("alice").comment(tracking, "/mission approve");
  await h.pump();
  return tracking;
}

describe("the /mission conversation on GitHub", () => {
  it("goes from /mission to an approved plan on GitHub: milestones, features, links, mission.md, dashboard", async () => {
    h = harness();
    const tracking = await startMission(h);

    // The interview asks only what the command left open.
    let replies = botReplies(h, tracking);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toMatch(/constraints/i);
    expect(replies[0]!.body).not.toMatch(/^mode:/m);
    expect(h.twin.issue(tracking).labels).toContain("mission");

    expect(replies[0]!.body).toMatch(/tokens/i);
    h.twin.as("alice").comment(tracking, "/mission answer\ntokens: 50M\nconstraints: no new dependencies\npreferences: none");
    await h.pump();
    replies = botReplies(h, tracking);
    expect(replies).toHaveLength(2);
    expect(replies[1]!.body).toMatch(/MVP/);
    expect(replies[1]!.body).toContain("/mission approve");

    h.twin.as("alice").comment(tracking, "/mission approve");
    await h.pump();

    const issues = h.twin.issuesOf();
    const milestones = issues.filter((i) => i.labels.includes("mission:milestone"));
    const features = issues.filter((i) => i.labels.includes("mission:feature"));
    expect(milestones.map((i) => i.title)).toEqual([
      expect.stringContaining("Milestone 1: Contacts"),
      expect.stringContaining("Milestone 2: Deals"),
      expect.stringContaining("Milestone 3: Email"),
    ]);
    expect(features).toHaveLength(6);
    // Milestones under the tracking issue, features under their milestone (linked by issue id).
    expect(h.twin.issue(tracking).sub_issues).toEqual(milestones.map((i) => i.id));
    expect(h.twin.issue(milestones[0]!.number).sub_issues).toHaveLength(2);
    // 1.2 depends on 1.1: an issue dependency.
    const f11 = features.find((i) => i.title.includes("1.1"))!;
    const f12 = features.find((i) => i.title.includes("1.2"))!;
    expect(h.twin.issue(f12.number).blocked_by).toEqual([f11.id]);

    const file = h.twin.readFile(`todo/missions/m-${TEST_DAY}-crm-contacts-1/mission.md`, { ref: STATE_BRANCH });
    expect(file).toBeDefined();
    const parsed = parseMissionFile(file!.text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.mission.status).toBe("active");
    expect(parsed.mission.constraints).toEqual(["no new dependencies"]);
    expect(parsed.mission.plan!.milestones.every((ms) => ms.issue && ms.features.every((f) => f.issue))).toBe(true);
    expect(parsed.mission.decisions.map((d) => d.what)).toContain("Plan approved.");

    const body = h.twin.issue(tracking).body ?? "";
    expect(body).toContain("We need a small CRM for the sales team."); // the user's text survives
    expect(body).toMatch(/0\/2/); // progress per milestone
    expect(h.twin.contractFailures).toEqual([]);
  });

  it("makes the plan's kind labels with the interview's first answer, before anyone approves", async () => {
    h = harness();
    await startMission(h);
    const labels = [...h.twin.repo().labels.values()].map((l) => ({ name: l.name, color: l.color }));
    expect(labels).toContainEqual({ name: "mission:milestone", color: "1d76db" });
    expect(labels).toContainEqual({ name: "mission:feature", color: "0e8a16" });
  });

  it("asks for no kind label a repository already has when a later mission starts", async () => {
    h = harness();
    await startMission(h);
    const from = h.twin.log.length;
    const later = h.twin.as("alice").createIssue({ title: "Invoices", body: "" }).number;
    h.twin.as("alice").comment(later, "/mission Build invoices --mode poc --budget $200 --hours 10");
    await h.pump();
    expect(botReplies(h, later)).toHaveLength(1);
    expect(h.twin.log.slice(from).filter((e) => e.method === "POST" && e.route === "/repos/{owner}/{repo}/labels")).toEqual([]);
  });

  it("materialises the plan with the node ids the load read: no node-id query, no label made at approval", async () => {
    h = harness();
    await startMission(h);
    const from = h.twin.log.length;
    const tracking = h.twin.issuesOf()[0]!.number;
    h.twin.as("alice").comment(tracking, "/mission answer\ntokens: 50M\nconstraints: none\npreferences: none");
    await h.pump();
    h.twin.as("alice").comment(tracking, "/mission approve");
    await h.pump();
    const graphql = h.twin.log.slice(from).filter((e) => e.path === "/graphql");
    const operation = (e: (typeof graphql)[number]) => String((e.body as { query?: string }).query ?? "").trim().split(/[\s({]/)[0];
    // every issue was made by a GraphQL createIssue; nothing asked GraphQL for node ids
    expect(graphql.map(operation).filter((o) => o !== "mutation")).toEqual([]);
    expect(graphql).toHaveLength(h.twin.issuesOf().length - 1);
    expect(h.twin.log.slice(from).filter((e) => e.method === "POST" && e.route === "/repos/{owner}/{repo}/labels")).toEqual([]);
  });

  it("answers a person without write access once, politely, and changes nothing else", async () => {
    h = harness();
    const tracking = h.twin.as("bob").createIssue({ title: "CRM", body: "" });
    const comment = h.twin.as("bob").comment(tracking.number, "/mission Build a CRM");
    await h.pump();
    await h.deliver({ ...h.twin.events.find((e) => e.name === "issue_comment" && (e.payload as { comment: { id: number } }).comment.id === comment.id)! });
    const replies = botReplies(h, tracking.number);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toMatch(/only people with write access/);
    expect(h.twin.issue(tracking.number).labels).toEqual([]);
    expect(h.twin.contractFailures).toEqual([]);
  });

  it("ignores bots, including itself", async () => {
    h = harness();
    const tracking = h.twin.as("alice").createIssue({ title: "CRM", body: "" });
    h.twin.as("renovate[bot]").comment(tracking.number, "/mission Build a CRM");
    await h.pump();
    expect(botReplies(h, tracking.number)).toEqual([]);
  });

  it("tells what was wrong with a malformed command and shows the correct form", async () => {
    h = harness();
    const tracking = h.twin.as("alice").createIssue({ title: "CRM", body: "" });
    h.twin.as("alice").comment(tracking.number, "/mission Build a CRM --budjet $20");
    await h.pump();
    const [reply] = botReplies(h, tracking.number);
    expect(reply!.body).toMatch(/--budjet/);
    expect(reply!.body).toMatch(/--budget/);
    expect(h.twin.issue(tracking.number).labels).toEqual([]);
  });

  it("keeps what it understood from a partly malformed answer", async () => {
    h = harness();
    const tracking = await startMission(h);
    h.twin.as("alice").comment(tracking, "/mission answer\nconstraints: none\ncolour: blue");
    await h.pump();
    const last = botReplies(h, tracking).at(-1)!;
    expect(last.body).toMatch(/colour/);
    expect(last.body).toMatch(/preferences/i); // still open
    expect(last.body).not.toMatch(/^constraints:/m); // answered
  });

  it("answers a redelivered approval once and creates every issue exactly once", async () => {
    h = harness();
    const tracking = await startMission(h);
    h.twin.as("alice").comment(tracking, "/mission answer\ntokens: 50M\nconstraints: none\npreferences: none");
    await h.pump();
    h.twin.as("alice").comment(tracking, "/mission approve");
    const delivered = await h.pump();
    const approval = delivered.find((e) => e.name === "issue_comment" && JSON.stringify(e.payload).includes("/mission approve"))!;
    await h.deliver(approval); // GitHub redelivers (same X-GitHub-Delivery)
    await h.pump();
    const replies = botReplies(h, tracking).filter((c) => c.body.includes("Plan approved"));
    expect(replies).toHaveLength(1);
    expect(h.twin.issuesOf().filter((i) => i.labels.includes("mission:feature"))).toHaveLength(6);
  });

  it("finishes a materialisation cut short after the k-th issue, with exactly one issue per milestone and feature", async () => {
    h = harness({ limits: () => ({ maxWrites: 3, timeMs: 60_000 }) });
    const tracking = await startMission(h);
    h.twin.as("alice").comment(tracking, "/mission answer\ntokens: 50M\nconstraints: none\npreferences: none");
    await h.pump();
    // GitHub writes the 4th issue but its answer is lost: the handler fails half-way.
    let opened = 0;
    const off = h.twin.onEvent((e) => {
      if (e.name === "issues" && e.action === "opened" && e.sender === "mission-bot[bot]" && ++opened === 3) {
        h.twin.fault({ kind: "lost-response", method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 });
      }
    });
    h.twin.as("alice").comment(tracking, "/mission approve");
    await h.pump().catch(() => undefined);
    off();
    // The next pulses finish the work.
    for (let i = 0; i < 4; i++) {
      await h.pulse();
      await h.pump().catch(() => undefined);
    }
    const byTitle = new Map<string, number>();
    for (const i of h.twin.issuesOf()) byTitle.set(i.title, (byTitle.get(i.title) ?? 0) + 1);
    const mission = [...byTitle].filter(([t]) => t.startsWith("[m-"));
    expect(mission).toHaveLength(9);
    expect(mission.every(([, n]) => n === 1)).toBe(true);
  });

  it("re-reads mission.md changed underneath it and keeps the person's change (stale sha)", async () => {
    h = harness();
    const tracking = await approvedMission(h);
    const path = `todo/missions/m-${TEST_DAY}-crm-contacts-1/mission.md`;

    // Just before the bot writes mission.md for /mission pause, a person raises the budget in git.
    const handle = h.twin.handle.bind(h.twin);
    let tampered = false;
    h.twin.handle = (req) => {
      if (!tampered && req.method === "PUT" && decodeURIComponent(req.path).endsWith(path)) {
        tampered = true;
        h.twin.tamperFile(path, h.twin.readFile(path, { ref: STATE_BRANCH })!.text.replace(/^  usd: 500$/m, "  usd: 600"), { branch: STATE_BRANCH });
      }
      return handle(req);
    };
    h.twin.as("alice").comment(tracking, "/mission pause");
    await h.pump();

    expect(tampered).toBe(true);
    const parsed = parseMissionFile(h.twin.readFile(path, { ref: STATE_BRANCH })!.text);
    expect(parsed.ok && parsed.mission.status).toBe("paused");
    expect(parsed.ok && parsed.mission.budget.usd).toBe(600); // the person's change survives
    expect(botReplies(h, tracking).filter((c) => c.body.includes("is paused"))).toHaveLength(1);
    expect(h.twin.contractFailures).toEqual([]);
  });

  it("reports an invalid mission.md on the tracking issue with the field and reason, and leaves it alone", async () => {
    h = harness();
    const tracking = await approvedMission(h);
    const path = `todo/missions/m-${TEST_DAY}-crm-contacts-1/mission.md`;
    const broken = h.twin.readFile(path, { ref: STATE_BRANCH })!.text.replace(/^status: active$/m, "status: sleeping");
    h.twin.tamperFile(path, broken, { branch: STATE_BRANCH });
    h.twin.as("alice").comment(tracking, "/mission pause");
    await h.pump();
    const last = botReplies(h, tracking).at(-1)!;
    expect(last.body).toMatch(/status/);
    expect(last.body).toMatch(/changed nothing/);
    expect(h.twin.readFile(path, { ref: STATE_BRANCH })!.text).toBe(broken);
  });

  it("answers a command whose webhook was lost on the next pulse, once, even when the webhook comes after all", async () => {
    h = harness();
    const tracking = await startMission(h);
    h.twin.as("alice").comment(tracking, "/mission answer\ntokens: 50M\nconstraints: none\npreferences: none");
    await h.pump();
    h.twin.as("alice").comment(tracking, "/mission approve");
    const late = h.twin.takeEvents(); // GitHub does not deliver it (yet)

    await h.pulse();
    await h.pump();
    expect(botReplies(h, tracking).filter((c) => c.body.includes("Plan approved"))).toHaveLength(1);
    for (const e of late) await h.deliver(e); // the webhook arrives late: it finds the command answered
    await h.pulse(); // and a later pulse does not answer it again
    await h.pump();
    expect(botReplies(h, tracking).filter((c) => c.body.includes("Plan approved"))).toHaveLength(1);
    expect(h.twin.issuesOf().filter((i) => i.labels.includes("mission:feature"))).toHaveLength(6);
  });

  it("answers a first /mission whose webhook was lost on the next pulse", async () => {
    h = harness();
    const tracking = h.twin.as("alice").createIssue({ title: "CRM", body: OUTLINE });
    h.twin.as("alice").comment(tracking.number, "/mission Build a CRM --mode poc --budget $500 --hours 40 --tokens 50M");
    h.twin.takeEvents(); // lost
    await h.pulse();
    expect(botReplies(h, tracking.number)).toHaveLength(1);
    expect(botReplies(h, tracking.number)[0]!.body).toMatch(/started/);
  });
});

