/**
 * Decide: a snapshot of what GitHub and mission.md say now → the mission as
 * it should be recorded and the actions that bring GitHub in line with it.
 * Pure and level-triggered. Everything comes through here: unanswered
 * commands (with their authors' live-checked permission) are part of the
 * snapshot, and their answers are actions like any other; the running
 * mission's loop (advance.ts) follows in the same decision.
 */
import { parseCommand, type Command } from "./conversation/commands.js";
import { afterPlan, decide as decideCommand, decideFromForm, planComment, PLANNING_NOTE, SUPERSEDED_NOTE, type Step } from "./conversation/conversation.js";
import { refusalMarker } from "./markers.js";
import type { Action, CommandFact, Decision, Snapshot } from "./decision.js";
import { mayDirect } from "./decision.js";
import { decideWorkspace } from "./workspace/decide.js";
import { advance, runs } from "./advance.js";
import { LABELS, missionPath, type Mission } from "./model.js";
import type { PlanRequest } from "./plan/plan.js";
import { parseMissionForm } from "./conversation/issue-form.js";
import { addEntry, plannerEntry, plannerKey } from "./budget/ledger.js";
import { closeDropped } from "./plan/replan.js";
import { kindLabels } from "./plan/materialise.js";
import type { DroppedItem } from "./model.js";

/** Said on a dropped item's issue as it is closed. */
function droppedNotice(d: DroppedItem): string {
  return `This ${d.kind} is no longer part of the mission's plan, so it is closed as not planned.\n\n> ${inlineText(d.reason)}\n\nThe new plan is on the tracking issue.`;
}
import { escapeText, inlineText } from "./markdown/escape.js";
import { decideBoard } from "./board/board.js";
import { decideAttach, factOf, holdNotice, workHold } from "./target/attach.js";

export { NEEDS_HUMAN, BUDGET_EXHAUSTED, COMPLETED } from "./advance.js";

/** A person without write access is answered at most once an hour per issue. */
export const REFUSAL_WINDOW_MS = 3_600_000;

export function reconcile(s: Snapshot): Decision {
  if (s.mission.kind === "invalid") return invalidMission(s);
  const found = s.mission.kind === "found" ? s.mission.mission : undefined;
  let m = found;
  /** what people are told about their commands: posted before the state is committed (a lost commit re-records silently) */
  const answers: Action[] = [];
  /** everything else, after the commit */
  const actions: Action[] = [];
  const refusedNow = new Set<string>();

  // A mission form starts the mission (or is refused, once).
  if (s.form && !m && !s.issue.isPullRequest) {
    if (!mayDirect(s.form.permission)) {
      if (!s.form.answered) {
        answers.push({
          kind: "comment",
          on: "tracking",
          key: `form:${s.issue.id}`,
          body: `Sorry @${s.form.requester}, only a mission form opened by someone with write access to ${s.where.repo} starts a mission. A maintainer can comment \`/mission <goal>\` here instead.\n\n${refusalMarker(s.form.requester)}`,
        });
      }
    } else {
      const form = parseMissionForm(s.issue.body) ?? { goal: `${s.issue.title}\n\n${s.issue.body}`.trim(), answers: "" };
      const step = decideFromForm({
        form,
        author: s.form.requester,
        now: s.issue.created_at,
        repo: s.where.repo,
        issueNumber: s.issue.number,
        config: s.config,
        history: s.history,
      });
      const taken = take(step, undefined, undefined, s);
      m = taken.mission ?? m;
      // answered before, but the mission was never recorded: record it now, without a second answer
      if (!s.form.answered) answers.push({ kind: "comment", on: "tracking", key: `form:${s.issue.id}`, body: taken.body });
    }
  }

  // Commands, oldest first: each sees the mission as the ones before it left it.
  for (const c of s.commands) {
    if (!mayDirect(c.permission)) {
      const who = c.author.login.toLowerCase();
      if (c.answered || refusedNow.has(who) || refusedRecently(s, c)) continue;
      refusedNow.add(who);
      answers.push({ kind: "reply", to: c.id, refused: who, body: refusal(c.author.login, s.where.repo) });
      continue;
    }
    const answer = answerCommand(s, m, c);
    const superseded = m?.planning && answer.mission?.planning && answer.mission.planning.comment !== m.planning.comment ? m.planning : undefined;
    if (superseded && !c.answered) {
      answers.push({ kind: "edit-reply", to: superseded.comment ?? "form", body: SUPERSEDED_NOTE, replacing: PLANNING_NOTE });
    }
    if (answer.mission) m = answer.mission;
    // answered before, but its effect was never recorded: record it now, without a second answer
    if (!c.answered) answers.push(answer.reply);
  }

  // The planner's answer: the plan replaces "planning…" in the answer that asked for it.
  let plan: PlanRequest | undefined;
  if (m?.planning) {
    if (s.planned) {
      const asked = m.planning;
      const step = afterPlan({
        mission: { ...m, planning: undefined },
        result: s.planned.result,
        config: s.config,
        plannerName: s.planned.plannerName,
        history: s.history,
        now: s.now,
        ...(asked.change ? { change: asked.change } : {}),
        ...(s.planned.help ? { help: s.planned.help } : {}),
      });
      for (const runId of step.cancelRuns ?? []) actions.push({ kind: "cancel-run", runId });
      m = step.mission ?? { ...m, planning: undefined };
      // planning is spent whether or not the plan could be used
      const usage = s.planned.result.usage;
      if (usage && (usage.tokens_in || usage.tokens_out)) {
        m = addEntry(m, plannerEntry(usage, s.config, plannerKey(asked), s.now, asked.change ? "replanning" : "planning")).mission;
      }
      actions.push({ kind: "edit-reply", to: asked.comment ?? "form", body: step.reply, replacing: PLANNING_NOTE });
    } else {
      plan = {
        mission: m,
        issueBody: s.issue.body,
        ...(m.planning.change ? { change: m.planning.change } : {}),
        ...(m.plan ? { previous: m.plan } : {}),
      };
    }
  } else if (m?.plan) {
    // An answer still saying "planning…" though the plan is made (its edit was lost): show the plan there now.
    for (const b of s.botComments) {
      if (!b.body.includes(PLANNING_NOTE)) continue;
      const to = b.repliedTo[0] ?? (b.notices.includes(`form:${s.issue.id}`) ? ("form" as const) : undefined);
      if (to !== undefined) actions.push({ kind: "edit-reply", to, body: planComment(m, s.config, m.plan.source, s.history), replacing: PLANNING_NOTE });
    }
  }

  // The tracking issue carries the mission's labels (put back when someone removed them).
  if (m) {
    const missing = [LABELS.mission, LABELS.forMission(m.id)].filter((l) => !s.issue.labels.includes(l));
    if (missing.length) actions.push({ kind: "label", on: "tracking", add: missing });
    // The plan's kind labels, made where the mission is first labelled (materialise makes them only if still missing).
    if (missing.includes(LABELS.forMission(m.id)) && !m.plan?.milestones.some((ms) => ms.issue)) actions.push({ kind: "ensure-labels", labels: kindLabels() });
  }

  // A Project board asked for with `/mission project`: made by apply (it records the board and clears the request).
  if (m?.board_request && !m.board?.node_id) actions.push({ kind: "board-create", title: `Mission ${m.id}: ${m.title}`.slice(0, 256) });
  // A repository asked for with `/mission attach --create`: made by apply (it records the target and clears the request).
  if (m?.attach_request) {
    const { repo, template, comment } = m.attach_request;
    actions.push({ kind: "attach-create", repo, ...(template ? { template } : {}), comment });
  }

  // The running mission's loop, when its facts were read; otherwise once more after this apply.
  let more = false;
  if (m && runs(m)) {
    if (s.loop) {
      const posted = new Set(s.botComments.flatMap((c) => c.notices));
      const server = { subIssues: s.where.subIssues !== false, dependencies: s.where.dependencies !== false };
      // work waits while there is no repository to build in, or the App cannot reach it (said once)
      const hold = workHold(m, s.config, s.repos);
      actions.push(...holdNotice(hold));
      const defaultBranch = (m.target && factOf(s.repos, m.target)?.defaultBranch) || s.where.defaultBranch;
      const step = advance({ mission: m, facts: s.loop, config: s.config, now: s.now, history: s.history, trackingLabels: s.issue.labels, posted, server, defaultBranch, hold: !!hold });
      m = step.mission;
      actions.push(...step.actions, ...closeDropped(m.plan, s.loop.issues, droppedNotice));
      // the mission folder: agents drafted from what the plan and the reports say, promotions asked for
      const workspace = decideWorkspace({ mission: m, reports: s.loop.reports, now: s.now, posted, ...(s.loop.folder ? { folder: s.loop.folder } : {}) });
      m = workspace.mission;
      // a drafted agent's file is written before any worker is dispatched: the workers this reconcile starts read it
      const firstDispatch = actions.findIndex((a) => a.kind === "dispatch-worker");
      const writes = workspace.actions.filter((a) => a.kind === "write-agent");
      if (firstDispatch >= 0) actions.splice(firstDispatch, 0, ...writes);
      actions.push(...workspace.actions.filter((a) => firstDispatch < 0 || a.kind !== "write-agent"));
      more = step.again;
      // the Project board follows the mission (after everything else: it is a view)
      actions.push(...decideBoard({ mission: m, config: s.config, history: s.history, closed: closedKeys(s.loop), now: s.now }));
    } else {
      more = true;
    }
  }

  const changed = !!m && (!found || JSON.stringify(found) !== JSON.stringify(m));
  // Comments before the watermark are not listed again: it moves (with a change worth committing) to the
  // oldest command answered now, or past everything read when nothing was left to answer.
  if (m && changed) {
    const answeredNow = answers.flatMap((a) => (a.kind === "reply" ? [s.commands.find((c) => c.id === a.to)?.created_at ?? ""] : [])).filter(Boolean);
    const mark = answeredNow.length ? answeredNow.sort()[0] : s.commentsUntil;
    if (mark && (!m.seen_until || mark > m.seen_until)) m = { ...m, seen_until: mark };
  }
  const commit: Action[] = m && changed ? [{ kind: "commit-mission", message: commitMessage(found, m) }] : [];
  // Only the mission folder's index changed (nothing an action depends on): committed after the actions, with
  // what they record, rather than in a commit of its own first (one write less; the index is read again if lost)
  const indexOnly = !!m && !!found && changed && sameBut(found, m, "folder");
  const tail: Action[] = m ? [{ kind: "update-dashboard" }] : [];
  return {
    ...(m ? { mission: m } : {}),
    actions: indexOnly ? [...answers, ...actions, ...commit, ...tail] : [...answers, ...commit, ...actions, ...tail],
    ...(plan ? { plan } : {}),
    ...(more ? { more } : {}),
  };
}

/** One command by a person who may direct the bot: the mission after it, and the answer. */
function answerCommand(s: Snapshot, m: Mission | undefined, c: CommandFact): { mission?: Mission; reply: Action } {
  const reply = (body: string): Action => ({ kind: "reply", to: c.id, body });
  // Recorded before, but the answer was lost: say what was recorded, never apply it twice.
  const recorded = m?.decisions.filter((d) => d.comment === c.id) ?? [];
  if (recorded.length) return { reply: reply(`Done (recorded in the decision log): ${recorded.map((d) => inlineText(d.what)).join(" ")}`) };

  const parsed = parseCommand(c.body);
  if (parsed.ok === "none") return { reply: reply("This comment does not start with `/mission`.") };
  if (parsed.ok === false) return { reply: reply(`${escapeText(parsed.error)}\n\nThe correct form is:\n\n\`\`\`\n${parsed.usage}\n\`\`\``) };
  if (s.issue.isPullRequest) return { reply: reply("Missions live on issues, not pull requests. Write `/mission <goal>` on an issue.") };
  if (s.issue.ownMarker && !m) {
    const tracking = s.issue.ownMarker.kind === "tracking" ? s.issue.ownMarker.key : undefined;
    const where = tracking ? ` on its tracking issue #${tracking}` : " on its tracking issue";
    return { reply: reply(`This issue is part of mission **${s.issue.ownMarker.mission}**: write \`/mission\` commands${where}.`) };
  }
  if (parsed.command.name === "attach") {
    if (!m) return { reply: reply("There is no mission on this issue yet: start one with `/mission <goal>`, then attach its repository.") };
    const attach = decideAttach({ mission: m, command: parsed.command, author: c.author.login, now: c.created_at, comment: c.id, config: s.config, repos: s.repos ?? [] });
    const taken = take({ kind: "reply", reply: attach.reply, ...(attach.mission ? { mission: attach.mission } : {}) }, m, c, s);
    return { ...(taken.mission ? { mission: taken.mission } : {}), reply: reply(taken.body) };
  }
  const step = decideCommand({
    command: parsed.command,
    ...(m ? { mission: m } : {}),
    author: c.author.login,
    now: c.created_at,
    repo: s.where.repo,
    issue: { number: s.issue.number, title: s.issue.title },
    config: s.config,
    history: s.history,
    permission: c.permission,
  });
  const taken = take(step, m, c, s);
  return { ...(taken.mission ? { mission: taken.mission } : {}), reply: reply(taken.body) };
}

/**
 * A conversation step taken: a plan step records the request (the planner
 * runs after this apply and its answer replaces "planning…"); a state change
 * is tagged with the command that made it.
 */
function take(step: Step, before: Mission | undefined, c: CommandFact | undefined, s: Snapshot): { mission?: Mission; body: string } {
  if (step.kind === "plan") {
    const mission: Mission = {
      ...step.mission,
      planning: { ...(c ? { comment: c.id } : {}), at: s.now, ...(step.change ? { change: step.change } : {}) },
    };
    return { mission: tagged(before, mission, c, planWhat(step.change)), body: `${step.preface ?? ""}${PLANNING_NOTE}` };
  }
  if (!step.mission) return { body: step.reply };
  return { mission: tagged(before, step.mission, c, undefined), body: step.reply };
}

function planWhat(change: string | undefined): string {
  return change ? `Replan asked for: ${change.slice(0, 500)}` : "Plan asked for.";
}

/** The mission with the command's comment on every decision it added (and one decision if it added none). */
function tagged(before: Mission | undefined, after: Mission, c: CommandFact | undefined, what: string | undefined): Mission {
  if (!c) return after;
  const known = before?.decisions.length ?? 0;
  const fresh = after.decisions.slice(known);
  if (!fresh.length) {
    const entry = { at: c.created_at, by: c.author.login, what: what ?? `Answered by @${c.author.login}.`, comment: c.id };
    return { ...after, decisions: [...after.decisions, entry] };
  }
  return { ...after, decisions: [...after.decisions.slice(0, known), ...fresh.map((d) => ({ ...d, comment: c.id }))] };
}

/** `.github/mission.yml` does not validate: commands are told so, the tracking issue once per version of the file; nothing changes. */
export function reconcileWithBadConfig(s: Snapshot, problems: readonly string[], sha: string | undefined): Decision {
  const list = problems.map((p) => `- ${inlineText(p)}`).join("\n");
  const actions: Action[] = [];
  for (const c of s.commands) {
    if (!mayDirect(c.permission)) continue;
    actions.push({ kind: "reply", to: c.id, body: `mission-bot cannot read its configuration, so it changed nothing:\n${list}` });
  }
  if (s.mission.kind !== "none") {
    const key = `config:${(sha ?? "none").slice(0, 12)}`;
    if (!s.botComments.some((c) => c.notices.includes(key))) {
      actions.push({ kind: "comment", on: "tracking", key, body: `mission-bot has stopped working on this mission: it cannot read its configuration.\n${list}` });
    }
  }
  return { actions };
}

/** mission.md does not validate: every command is told so (once), and nothing else happens until a person fixes it. */
function invalidMission(s: Snapshot): Decision {
  if (s.mission.kind !== "invalid") return { actions: [] };
  const { id, path, problems, sha } = s.mission;
  const list = problems.map((p) => `- ${inlineText(p)}`).join("\n");
  const actions: Action[] = [];
  actions.push({
    kind: "comment",
    on: "tracking",
    key: `invalid:${id}:${sha.slice(0, 12)}`,
    body: [
      `**mission-bot cannot read \`${path}\`** (mission ${id}), so it has stopped working on this mission and has not changed the file.`,
      "",
      list,
      "",
      "Fix these fields in git; the bot picks the mission up again on the next event.",
    ].join("\n"),
  });
  for (const c of s.commands) {
    if (!mayDirect(c.permission)) continue;
    actions.push({ kind: "reply", to: c.id, body: `mission-bot cannot read \`${path}\`, so it changed nothing:\n${list}\n\nFix these fields in git and try again.` });
  }
  const posted = new Set(s.botComments.flatMap((c) => c.notices));
  return { actions: actions.filter((a) => a.kind !== "comment" || !posted.has(a.key)) };
}

/** Milestone and feature keys whose issues GitHub shows closed. */
function closedKeys(loop: NonNullable<Snapshot["loop"]>): Set<string> {
  const closed = new Set<string>();
  for (const [ref, issue] of loop.issues) if (ref !== "tracking" && issue.state === "closed") closed.add(ref.slice(ref.indexOf(":") + 1));
  return closed;
}

function refusedRecently(s: Snapshot, c: CommandFact): boolean {
  const who = c.author.login.toLowerCase();
  const since = Date.parse(c.created_at) - REFUSAL_WINDOW_MS;
  return s.botComments.some((b) => b.refused.includes(who) && Date.parse(b.created_at) >= since);
}

function refusal(login: string, repo: string): string {
  return `Sorry @${login}, only people with write access to ${repo} can direct mission-bot. A maintainer can run the command for you.`;
}

function sameBut(a: Mission, b: Mission, field: keyof Mission): boolean {
  return JSON.stringify({ ...a, [field]: undefined }) === JSON.stringify({ ...b, [field]: undefined });
}

function commitMessage(before: Mission | undefined, after: Mission): string {
  if (!before) return `mission ${after.id}: started`;
  if (before.status !== after.status) return `mission ${after.id}: ${after.status}`;
  return `mission ${after.id}: progress`;
}

export type { Command };
export { missionPath };
