/**
 * Apply: the one write path. Performs reconcile's actions against GitHub,
 * idempotently (markers, "already there" checks, the mission's own record of
 * what it posted), bounded per call (a write budget and a time budget), and
 * resumable (what is finished is recorded in mission.md; the next call
 * starts from there). A step GitHub refuses is reported on the tracking
 * issue once and does not block unrelated steps; a rate limit stops the
 * call (the loop tries again when GitHub said to).
 */
import { performance } from "node:perf_hooks";
import { LABELS, missionPath, type Mission } from "../mission/model.js";
import { NO_SUB_ISSUES_NOTICE, recordIssue } from "../mission/plan/materialise.js";
import { featureBody, milestoneBody } from "../mission/markdown/issues.js";
import { describeStep, type Action, type Decision, type FoundIssue, type Ref, type Snapshot } from "../mission/decision.js";
import { renderMissionFile } from "../mission/markdown/mission-file.js";
import { recordDispatch, recordValidationDispatch, validationInputs, withdrawIntents, workerInputs } from "../mission/workers/dispatch.js";
import { noticeMarker, noticesIn, refusalMarker, replyMarker } from "../mission/markers.js";
import { inlineText } from "../mission/markdown/escape.js";
import { renderDashboard, mergeDashboard, dashboardChanged, dashboardRoom } from "../mission/markdown/dashboard.js";
import { fitComment } from "../mission/markdown/fit.js";
import { ConflictError, isRateLimited, isStatus, messageOf, NO_RETRY, RefusedError, statusOf, type Octokit, type RepoRef } from "./client.js";
import { RateLimitedError } from "./rate-limits.js";
import { writeFile } from "./repo-files.js";
import { createdDespite, createIssueUnder, graphqlErrors, nodeIds, type CreatedIssue, type NodeIds } from "./create-issue.js";
import { findRunByNonce } from "./runs.js";
import { createBoard, syncBoard } from "./board.js";
import { preparePromotion, writeAgentFile } from "./workspace.js";
import { promotionNotice } from "../mission/workspace/promote.js";
import { boardCreated, boardNotCreated, boardUnreachable } from "../mission/board/notice.js";
import { buildRef, createRepository } from "./target.js";
import { factOf } from "../mission/target/attach.js";
import { afterCreate } from "../mission/target/notices.js";
import { applySpendingAction, NotHandedOver } from "./spending/apply.js";
import type { Outside } from "./spending/outside.js";

export interface ApplyLimits {
  /** writes (POST/PATCH/PUT/DELETE) this call may make before it stops; the final commit and dashboard are extra */
  maxWrites: number;
  /** how long (ms, on the monotonic clock from the start of apply) new writes may start */
  timeMs: number;
}

export interface ApplyInput {
  octokit: Octokit;
  repo: RepoRef;
  snapshot: Snapshot;
  limits: ApplyLimits;
  /** the time decisions are recorded at (runs dispatched) */
  clock?: () => number;
  /** card provider and email gateway for the mission's requests (github/spending/) */
  outside?: Outside;
}

export interface ApplyResult {
  mission?: Mission;
  /** the blob sha of mission.md after the last commit */
  sha?: string;
  writes: number;
  /** false when the limits stopped it before every action ran */
  complete: boolean;
  /** steps GitHub refused (reported on the tracking issue) */
  refused: string[];
}

const READ_ONLY: ReadonlySet<Action["kind"]> = new Set(["record-issue", "update-dashboard"]);

/** Remembered per process: this server's `createIssue` has no `parentIssueId` (an Enterprise Server not known by its version). */
const noGraphqlCreate = new Set<string>();

/** Remembered per process: this server does not take `return_run_details` (Enterprise Server 3.20 and older). */
const noRunDetails = new Set<string>();

export async function apply(decision: Decision, input: ApplyInput): Promise<ApplyResult> {
  const { octokit, repo, snapshot: s, limits } = input;
  const clock = input.clock ?? Date.now;
  const deadline = performance.now() + limits.timeMs;
  let mission = decision.mission;
  let sha = s.mission.kind === "found" ? s.mission.sha : undefined;
  let writes = 0;
  let dirty = false;
  let complete = true;
  const refused: string[] = [];
  const failedRefs = new Set<Ref>();
  const known = new Map<Ref, FoundIssue>(s.loop?.issues ?? []);
  const posted = new Set([...(mission?.notices ?? []), ...s.botComments.flatMap((c) => c.notices)]);
  /** where runs, branches and pull requests are: the mission's target repository, else this one (its default branch with it) */
  const code = () => buildRef(mission, repo);
  const codeBranch = () => (mission?.target && factOf(s.repos, mission.target)?.defaultBranch) || s.where.defaultBranch;

  const issueOf = (ref: Ref): { number: number; id: number } => {
    if (ref === "tracking") return s.issue;
    const found = known.get(ref) ?? (mission ? recorded(mission, ref) : undefined);
    if (!found) throw new Error(`${ref} of mission ${mission?.id ?? "?"} has no issue yet`);
    return found;
  };

  let stateRefused = false;
  const commit = async (message: string) => {
    if (!mission) return;
    try {
      sha = await writeFile(octokit, repo, {
        path: missionPath(mission.id),
        text: renderMissionFile(mission),
        message: `${message} [skip ci]`,
        ...(sha ? { sha } : {}),
        branch: s.where.stateBranch,
        defaultBranch: s.where.defaultBranch,
      });
    } catch (error) {
      if (error instanceof RefusedError) {
        stateRefused = true;
        await tellStateRefused(error);
      }
      throw error;
    }
    dirty = false;
    writes++;
  };

  /**
   * A branch rule refused the state commit: say so once (the issue's own comments are the record), and
   * label the issue `mission` so every pulse looks at it again until the rule is lifted; nothing else.
   */
  const tellStateRefused = async (error: RefusedError) => {
    const key = `state-refused:${s.where.stateBranch}`;
    if (posted.has(key)) return;
    const body = [
      `**mission-bot cannot save this mission's state.** ${inlineText(error.message)}`,
      "",
      `The bot keeps each mission in \`todo/missions/<id>/mission.md\` on its state branch (\`state_branch\` in \`.github/mission.yml\`, now \`${s.where.stateBranch}\`). Let the bot push there (add it to the ruleset's bypass list, or exempt it from the branch protection), or set \`state_branch\` to a branch no rule covers. Nothing else was changed; the bot looks again at every pulse and goes on once it may write.`,
    ].join("\n");
    await octokit.rest.issues.createComment({ ...repo, issue_number: s.issue.number, body: fitComment(`${body}\n\n${noticeMarker(key)}`), ...NO_RETRY });
    posted.add(key);
    writes++;
    const labels = [LABELS.mission, ...(mission ? [LABELS.forMission(mission.id)] : [])].filter((l) => !s.issue.labels.includes(l));
    if (labels.length) {
      await octokit.rest.issues.addLabels({ ...repo, issue_number: s.issue.number, labels });
      writes++;
    }
  };

  // Dispatches this call will not make: withdraw their recorded intent, so they cost no try.
  const withdrawFrom = (index: number) => {
    if (!mission) return;
    const withdrawn = withdrawIntents(mission, decision.actions.slice(index));
    if (withdrawn !== mission) {
      mission = withdrawn;
      dirty = true;
    }
  };

  /** A step GitHub refused for a reason a person must fix: tell the tracking issue once, go on with the rest. */
  const refuse = async (action: Action, error: unknown) => {
    const what = describeStep(action);
    refused.push(`${what}: ${messageOf(error)}`);
    for (const ref of refsOf(action)) failedRefs.add(ref);
    const key = `refused:${what}:${statusOf(error) ?? "?"}`;
    if (posted.has(key) || !mission) return;
    const body = `**GitHub refused a step of mission ${mission.id}:** ${what} (${statusOf(error) ?? "error"}: ${inlineText(messageOf(error).split("\n")[0] ?? "")}). The mission goes on with the steps that do not depend on it; the bot tries this one again on the next pulse.`;
    await octokit.rest.issues.createComment({ ...repo, issue_number: s.issue.number, body: fitComment(`${body}\n\n${noticeMarker(key)}`), ...NO_RETRY });
    writes++;
    posted.add(key);
    mission = { ...mission, notices: [...mission.notices, key] };
    dirty = true;
  };

  // GraphQL creates (create-issue.ts): the node ids they need — from the REST answers the load read, those
  // of the labels made here and of each create's answer, else read once by the node-id query — and the links they made
  const nodeIdOf = new Map([s.issue, ...known.values()].flatMap((i): Array<[number, string]> => (i.nodeId ? [[i.number, i.nodeId]] : [])));
  const labelIdOf = new Map(Object.entries(s.nodeIds?.labels ?? {}));
  const linked = new Set<string>();
  let ids: NodeIds | undefined;
  const byGraphql = s.where.subIssues !== false && !noGraphqlCreate.has(s.where.serverUrl);

  /** The issue created, labelled and linked under its parent in one write; undefined when REST must do it. */
  const createUnderParent = async (action: Extract<Action, { kind: "create-issue" }>): Promise<CreatedIssue | undefined> => {
    if (!byGraphql || !action.parent) return undefined;
    if (!ids) {
      const creates = decision.actions.filter((a): a is Extract<Action, { kind: "create-issue" }> => a.kind === "create-issue");
      const parents = creates.flatMap((a) => (a.parent && (a.parent === "tracking" || known.has(a.parent) || (mission && recorded(mission, a.parent))) ? [issueOf(a.parent).number] : []));
      const labels = creates.flatMap((a) => a.labels);
      const repository = s.nodeIds?.repository;
      if (repository && labels.every((l) => labelIdOf.has(l)) && parents.every((n) => nodeIdOf.has(n))) ids = { repository, labels: labelIdOf, issues: new Map() };
      else {
        ids = await nodeIds(octokit, repo, labels, parents);
        for (const [number, id] of ids.issues) nodeIdOf.set(number, id);
      }
    }
    const labelIds = action.labels.map((l) => ids!.labels.get(l));
    const parentIssueId = nodeIdOf.get(issueOf(action.parent).number);
    // a label someone deleted (REST makes it again), or a parent whose node id is unknown: REST
    if (!parentIssueId || labelIds.some((l) => l === undefined)) return undefined;
    const input = { repositoryId: ids.repository, title: action.title, body: fitComment(action.body), labelIds: labelIds as string[], parentIssueId };
    try {
      const made = await createIssueUnder(octokit, input);
      linked.add(`${action.parent}>${action.ref}`);
      return made;
    } catch (error) {
      const errors = graphqlErrors(error);
      if (!errors || errors.some((e) => e.type === "RATE_LIMITED")) throw error; // HTTP errors and rate limits go up as any write's
      // created, but GitHub refused the link: the link-sub-issue step that follows makes it by REST (or reports why)
      const despite = createdDespite(error);
      if (despite) return despite;
      if (errors.some((e) => /doesn't accept argument 'parentIssueId'|parentIssueId/i.test(e.message ?? ""))) noGraphqlCreate.add(s.where.serverUrl);
      return undefined; // refused: REST asks again, and its status says why (apply reports a refusal once)
    }
  };
  const createByRest = async (action: Extract<Action, { kind: "create-issue" }>) => {
    const { data } = await octokit.rest.issues.create({ ...repo, title: action.title, body: fitComment(action.body), labels: action.labels, ...NO_RETRY });
    return { number: data.number, id: data.id, nodeId: data.node_id };
  };

  let at = 0;
  let failing = false;
  try {
    for (const [index, action] of decision.actions.entries()) {
      at = index;
      const free = READ_ONLY.has(action.kind) || (action.kind === "link-sub-issue" && linked.has(`${action.parent}>${action.child}`));
      if (!free && (writes >= limits.maxWrites || performance.now() >= deadline)) {
        complete = false;
        withdrawFrom(index);
        break;
      }
      if (refsOf(action).some((ref) => failedRefs.has(ref)) && action.kind !== "create-issue") {
        // a link skipped because its parent was refused leaves its child unfinished too: not recorded as linked
        for (const ref of refsOf(action)) failedRefs.add(ref);
        continue;
      }
      try {
        await perform(action);
      } catch (error) {
        if (error instanceof RateLimitedError || error instanceof ConflictError || error instanceof RefusedError || isRateLimited(error)) throw error;
        const status = statusOf(error);
        // 4xx (but 409 conflicts and 422 "try again" races): GitHub says no to this step; the rest goes on.
        if (status !== undefined && status >= 400 && status < 500 && !transient(error)) {
          await refuse(action, error);
          continue;
        }
        throw error;
      }
    }
  } catch (error) {
    // An action failed: the dispatches after it were not made (a failed dispatch records its own answer).
    failing = true;
    withdrawFrom(decision.actions[at]?.kind.startsWith("dispatch-") ? at + 1 : at);
    throw error;
  } finally {
    // What is finished is never lost: commit the records made so far, even on an error
    // (a mission whose file was never created is not created here).
    if (dirty && mission && sha && !stateRefused) {
      try {
        await commit(`mission ${mission.id}: record progress`);
      } catch (error) {
        if (!failing) throw error; // otherwise the first error is the one to report; the next reconcile finds what was made by its markers
      }
    }
  }
  // An apply cut short by its limits is followed at once by another (the job is enqueued again): the last
  // one writes the dashboard, once, instead of each rewriting it with a plan half made.
  if (mission && complete && decision.actions.some((a) => a.kind === "update-dashboard")) {
    if (await writeDashboardIfChanged(octokit, repo, s, mission, known)) writes++;
  }
  return { ...(mission ? { mission } : {}), writes, complete, refused, ...(sha ? { sha } : {}) };

  async function perform(action: Action): Promise<void> {
    switch (action.kind) {
      case "commit-mission":
        await commit(action.message);
        return;
      case "reply": {
        const hidden = [replyMarker(action.to), ...(action.refused ? [refusalMarker(action.refused)] : [])].join("\n");
        await octokit.rest.issues.createComment({ ...repo, issue_number: s.issue.number, body: fitComment(`${action.body}\n\n${hidden}`), ...NO_RETRY });
        writes++;
        return;
      }
      case "edit-reply": {
        const answer = s.botComments.find((c) => (action.to === "form" ? c.notices.includes(`form:${s.issue.id}`) : c.repliedTo.includes(action.to)));
        if (!answer) {
          const marker = action.to === "form" ? noticeMarker(`form:${s.issue.id}`) : replyMarker(action.to);
          await octokit.rest.issues.createComment({ ...repo, issue_number: s.issue.number, body: fitComment(`${action.body}\n\n${marker}`), ...NO_RETRY });
        } else {
          const body = action.replacing && answer.body.includes(action.replacing) ? answer.body.replace(action.replacing, action.body) : editedAnswer(answer.body, action.body);
          await octokit.rest.issues.updateComment({ ...repo, comment_id: answer.id, body: fitComment(body) });
        }
        writes++;
        return;
      }
      case "ensure-labels": {
        // one step of the write budget, however many labels: a budget smaller than the label count still makes progress
        let asked = false;
        for (const label of action.labels) {
          // a label the tracking issue wears, or the load read, exists: no request (GitHub would answer 422 already_exists)
          const named = (l: string) => l.toLowerCase() === label.name.toLowerCase();
          if (s.issue.labels.some(named) || [...labelIdOf.keys()].some(named)) continue;
          asked = true;
          try {
            const { data } = await octokit.rest.issues.createLabel({ ...repo, ...label });
            labelIdOf.set(data.name, data.node_id);
          } catch (error) {
            if (!alreadyExists(error)) throw error;
          }
        }
        if (asked) writes++;
        return;
      }
      case "create-issue": {
        const made = (await createUnderParent(action)) ?? (await createByRest(action));
        known.set(action.ref, { number: made.number, id: made.id, state: "open" });
        if (made.nodeId) nodeIdOf.set(made.number, made.nodeId);
        writes++;
        return;
      }
      case "link-sub-issue":
        // made by the create itself (GraphQL `parentIssueId`): nothing to send
        if (linked.has(`${action.parent}>${action.child}`)) return;
        writes++;
        if ((await linkSubIssue(octokit, repo, issueOf(action.parent).number, issueOf(action.child))) === "absent") {
          // this server has no sub-issues after all: the milestone lists its features, and the tracking issue is told once
          if (action.parent !== "tracking") await listFeatures(action.parent);
          await noticeOnce("tracking", "no-sub-issues", NO_SUB_ISSUES_NOTICE);
        }
        return;
      case "list-features":
        await listFeatures(action.milestone);
        return;
      case "add-blocked-by":
        await addBlockedBy(octokit, repo, issueOf(action.blocked).number, issueOf(action.blocking).id);
        writes++;
        return;
      case "record-issue":
        if (!mission) return;
        mission = recordIssue(mission, action.ref, issueOf(action.ref));
        dirty = true;
        return;
      case "dispatch-worker": {
        if (!mission) return;
        const m = mission;
        const workflow = s.config.worker.workflow;
        const inputs = workerInputs(m, action.dispatch);
        const find = () => findDispatched(octokit, code(), workflow, m, action.dispatch.feature, action.dispatch.try);
        const result = await dispatch(octokit, code(), workflow, codeBranch(), inputs, find, s.where.serverUrl, s.where.runDetails !== false);
        mission = recordDispatch(m, action.dispatch.feature, action.dispatch.try, result, clock());
        dirty = true;
        writes++;
        if ("error" in result) await noticeOnce("tracking", `dispatch-failed:${action.dispatch.feature}:${action.dispatch.try}`, result.error);
        return;
      }
      case "dispatch-validation": {
        if (!mission) return;
        const m = mission;
        const workflow = s.config.validation.workflow;
        const inputs = validationInputs(m, action.milestone, action.nonce, codeBranch());
        const find = () => findDispatched(octokit, code(), workflow, m, `validate-${action.milestone}`, action.try);
        const result = await dispatch(octokit, code(), workflow, codeBranch(), inputs, find, s.where.serverUrl, s.where.runDetails !== false);
        mission = recordValidationDispatch(m, action.milestone, action.try, result, clock());
        dirty = true;
        writes++;
        if ("error" in result) await noticeOnce("tracking", `validation-dispatch-failed:${action.milestone}:${action.try}`, result.error);
        return;
      }
      case "cancel-run":
        try {
          await octokit.rest.actions.cancelWorkflowRun({ ...code(), run_id: action.runId });
        } catch (error) {
          if (!isStatus(error, 409, 404)) throw error; // 409: already finished
        }
        writes++;
        return;
      case "comment":
        await noticeOnce(action.on, action.key, action.body);
        if (action.marks?.length && mission) {
          // Posted (now or before): the alert is recorded as sent.
          mission = { ...mission, alerts_sent: [...new Set([...mission.alerts_sent, ...action.marks])] };
          dirty = true;
        }
        return;
      case "close-issue":
      case "reopen-issue": {
        const issue = issueOf(action.ref);
        const state = action.kind === "close-issue" ? "closed" : "open";
        await octokit.rest.issues.update({ ...repo, issue_number: issue.number, state, ...(action.kind === "close-issue" ? { state_reason: action.reason } : {}) });
        // the dashboard written at the end of this apply shows the issue as it is now
        const before = known.get(action.ref);
        if (before) known.set(action.ref, { ...before, state });
        writes++;
        return;
      }
      case "close-duplicate":
        await octokit.rest.issues.update({ ...repo, issue_number: action.number, state: "closed", state_reason: "duplicate" });
        await octokit.rest.issues.createComment({ ...repo, issue_number: action.number, body: fitComment(action.comment), ...NO_RETRY });
        writes += 2;
        return;
      case "label": {
        const issue_number = issueOf(action.on).number;
        if (action.add?.length) {
          await octokit.rest.issues.addLabels({ ...repo, issue_number, labels: action.add });
          writes++;
        }
        for (const name of action.remove ?? []) {
          try {
            await octokit.rest.issues.removeLabel({ ...repo, issue_number, name });
          } catch (error) {
            if (!isStatus(error, 404)) throw error; // not there: nothing to remove
          }
          writes++;
        }
        return;
      }
      case "check-acceptance": {
        if (!mission) return;
        const ms = mission.plan?.milestones.find((x) => x.features.some((f) => f.key === action.feature));
        const f = ms?.features.find((x) => x.key === action.feature);
        if (!ms || !f) return;
        // the evidence is in the mission already (its write-ahead commit): this write records nothing more
        const ref = `feature:${f.key}` as const;
        const close = action.close ? { state: "closed" as const, state_reason: "completed" as const } : {};
        await octokit.rest.issues.update({ ...repo, issue_number: issueOf(ref).number, body: fitComment(featureBody(mission, ms, f, action.evidence)), ...close });
        writes++;
        const before = known.get(ref);
        if (before && action.close) known.set(ref, { ...before, state: "closed" });
        return;
      }
      case "hand-over":
        if (!mission) return;
        mission = { ...mission, hand_over: await proposeBranch(octokit, code(), action, new Date(clock()).toISOString()) };
        dirty = true;
        writes++;
        return;
      case "board-sync": {
        if (!mission) return;
        const m = mission;
        const result = await syncBoard(octokit, {
          action,
          board: m.board,
          issueOf: (ref) => known.get(ref) ?? recorded(m, ref),
          maxWrites: Math.max(1, limits.maxWrites - writes),
          now: s.now,
        });
        writes += result.writes;
        if (JSON.stringify(result.board) !== JSON.stringify(m.board)) {
          mission = { ...m, board: result.board };
          dirty = true;
        }
        if (result.unreachable) {
          const { owner, number } = action.project;
          await noticeOnce("tracking", `board-unreachable:${owner}/${number}:${result.unreachable.status ?? "?"}`, boardUnreachable(action.project, result.unreachable, s.where.serverUrl));
        }
        return;
      }
      case "board-create": {
        if (!mission) return;
        const made = await createBoard(octokit, repo.owner, action.title);
        writes++;
        const { board_request: _asked, ...rest } = mission;
        mission = made.ok ? { ...rest, board: made.board } : rest;
        dirty = true;
        if (made.ok) await noticeOnce("tracking", `board-created:${made.board.project.owner}/${made.board.project.number}`, boardCreated(made.board.project, s.where.serverUrl));
        else await noticeOnce("tracking", `board-not-created:${s.now}`, boardNotCreated(repo.owner, made.message));
        return;
      }
      case "attach-create": {
        if (!mission) return;
        const made = await createRepository(octokit, action.repo, action.template);
        writes++;
        const after = afterCreate(mission, made, new Date(clock()).toISOString());
        mission = after.mission;
        dirty = true;
        await noticeOnce("tracking", after.key, after.body);
        return;
      }
      case "write-agent": {
        const a = mission?.agents?.find((x) => x.name === action.name);
        if (!mission || !a || a.written) return;
        await writeAgentFile(octokit, repo, s.where, mission, a);
        writes++;
        mission = { ...mission, agents: (mission.agents ?? []).map((x) => (x.name === a.name ? { ...x, written: true } : x)) };
        dirty = true;
        return;
      }
      case "promote-agent": {
        const a = mission?.agents?.find((x) => x.name === action.name);
        if (!mission || !a?.promotion || a.promotion.pull_request) return;
        const ready = await preparePromotion(octokit, repo, s.where, mission, a, s.config.worker.agents_folder);
        writes += 2;
        const at = new Date(clock()).toISOString();
        const opened = ready.ok === "open-pr" ? await proposeBranch(octokit, repo, { kind: "hand-over", head: ready.head, base: s.where.defaultBranch, title: ready.title, body: ready.body }, at) : undefined;
        const refused = ready.ok === false ? ready.refused : opened?.refused ?? (opened?.nothing_to_merge ? "the branch had nothing to propose" : undefined);
        const promotion = { ...a.promotion, ...(opened?.pull_request ? { pull_request: opened.pull_request } : {}), ...(opened?.url ? { url: opened.url } : {}), ...(refused ? { refused } : {}) };
        mission = { ...mission, agents: (mission.agents ?? []).map((x) => (x.name === a.name ? { ...x, promotion } : x)) };
        dirty = true;
        await noticeOnce("tracking", `agent-promotion:${a.name}:${a.promotion.at}`, promotionNotice(a.name, promotion));
        return;
      }
      case "update-dashboard":
        return; // always done last, once
      case "spend":
      case "freeze-card":
      case "hand-over-secret":
      case "revoke-hand-over": {
        if (!mission) return;
        let next: Mission;
        try {
          next = await applySpendingAction(action, { octokit, repo, mission, config: s.config, outside: input.outside, now: s.now });
        } catch (error) {
          if (error instanceof NotHandedOver) {
            mission = error.mission;
            dirty = true;
            throw error.refusal;
          }
          throw error;
        }
        if (next !== mission) {
          mission = next;
          dirty = true;
        }
        writes++;
        return;
      }
    }
  }

  /** The milestone issue's body with its features' issues as a task list (what stands in for sub-issues). */
  async function listFeatures(ref: Ref): Promise<void> {
    const ms = mission?.plan?.milestones.find((x) => `milestone:${x.key}` === ref);
    if (!mission || !ms) return;
    const numbers = new Map<string, number>();
    for (const f of ms.features) {
      const issue = known.get(`feature:${f.key}`) ?? f.issue;
      if (issue) numbers.set(f.key, issue.number);
    }
    await octokit.rest.issues.update({ ...repo, issue_number: issueOf(ref).number, body: fitComment(milestoneBody(mission, ms, numbers)) });
    writes++;
  }

  /** Post a notice once per key: skipped when the mission records it or the issue already shows it. */
  async function noticeOnce(on: Ref, key: string, body: string): Promise<void> {
    if (posted.has(key)) return;
    const issue_number = issueOf(on).number;
    if (on !== "tracking") {
      // Notices on other issues are rare: look there before posting (a post whose record was lost).
      const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number, per_page: 100 });
      if (comments.some((c) => c.user?.login === s.where.botLogin && noticesIn(c.body).includes(key))) {
        remember(key);
        return;
      }
    }
    await octokit.rest.issues.createComment({ ...repo, issue_number, body: fitComment(`${body}\n\n${noticeMarker(key)}`), ...NO_RETRY });
    writes++;
    remember(key);
  }

  function remember(key: string): void {
    posted.add(key);
    if (mission && !mission.notices.includes(key)) {
      mission = { ...mission, notices: [...mission.notices, key] };
      dirty = true;
    }
  }
}

/** The answer rewritten: a replacement for the whole text, keeping the hidden markers it carried. */
function editedAnswer(old: string, body: string): string {
  const hidden = old.match(/<!-- mission-bot:[^>]*-->/g) ?? [];
  return [body, "", ...hidden].join("\n");
}

/** Rewrite the dashboard region when what it would show changed (re-read just before writing: a person's edit is kept). */
async function writeDashboardIfChanged(octokit: Octokit, repo: RepoRef, s: Snapshot, mission: Mission, known: ReadonlyMap<Ref, FoundIssue>): Promise<boolean> {
  const closed = new Set<string>();
  for (const [ref, issue] of known) if (issue.state === "closed") closed.add(ref.slice(ref.indexOf(":") + 1));
  const render = (body: string) =>
    mergeDashboard(
      body,
      mission.id,
      renderDashboard({ mission, closed, maxChars: dashboardRoom(body, mission.id), serverUrl: s.where.serverUrl, stateBranch: s.where.stateBranch, config: s.config, history: s.history }),
    );
  if (!dashboardChanged(s.issue.body, render(s.issue.body))) return false;
  const { data } = await octokit.rest.issues.get({ ...repo, issue_number: s.issue.number });
  const current = data.body ?? "";
  const body = render(current);
  if (!dashboardChanged(current, body)) return false;
  await octokit.rest.issues.update({ ...repo, issue_number: s.issue.number, body });
  return true;
}

/**
 * The hand-over pull request from the mission branch, made once: an open pull request from that branch to
 * the base is kept (found first, and again when GitHub answers 422 "A pull request already exists for
 * owner:branch."). GitHub's 422 "No commits between base and head" (and `head` "invalid" for a branch that
 * does not exist) means there is nothing to merge; a refusal a person must lift (403 "GitHub Actions is
 * not permitted to create or approve pull requests.", or a token without `pull_requests`, which the
 * Actions-only workflows do not ask for) is recorded with its reason, not retried forever.
 */
async function proposeBranch(
  octokit: Octokit,
  repo: RepoRef,
  action: Extract<Action, { kind: "hand-over" }>,
  at: string,
): Promise<NonNullable<Mission["hand_over"]>> {
  const found = async () => {
    const { data } = await octokit.rest.pulls.list({ ...repo, head: `${repo.owner}:${action.head}`, base: action.base, state: "open", per_page: 10 });
    const pr = data.find((p) => p.head.ref === action.head);
    return pr ? { at, pull_request: pr.number, url: pr.html_url } : undefined;
  };
  try {
    const open = await found();
    if (open) return open;
    const { data } = await octokit.rest.pulls.create({ ...repo, head: action.head, base: action.base, title: action.title, body: fitComment(action.body), ...NO_RETRY });
    return { at, pull_request: data.number, url: data.html_url };
  } catch (error) {
    if (isRateLimited(error) || error instanceof RateLimitedError) throw error; // a rate limit refuses nothing: tried again later
    const text = `${JSON.stringify((error as { response?: { data?: unknown } }).response?.data ?? "")} ${messageOf(error)}`;
    if (isStatus(error, 422) && /pull request already exists/i.test(text)) {
      const again = await found();
      if (again) return again;
    }
    if (isStatus(error, 422) && (/no commits between/i.test(text) || /"field":"head","code":"invalid"/.test(text))) return { at, nothing_to_merge: true };
    if (isStatus(error, 403, 404, 422)) return { at, refused: (messageOf(error).split("\n")[0] ?? "").slice(0, 500) };
    throw error;
  }
}

/** GitHub's 422 for a label (or ref) that exists: `errors: [{ code: "already_exists" }]`. */
function alreadyExists(error: unknown): boolean {
  if (!isStatus(error, 422)) return false;
  const data = (error as { response?: { data?: unknown } }).response?.data;
  return /already_exists|already exists/i.test(`${JSON.stringify(data ?? "")} ${messageOf(error)}`);
}

/** 422s GitHub answers to a race, not a refusal: parallel sub-issue adds to one parent. */
function transient(error: unknown): boolean {
  return isStatus(error, 422) && /priority has already been taken/i.test(messageOf(error));
}

/** Tries of a write that lost a race (another add to the same parent landed first), and the pause between them. */
const RACE_TRIES = 3;
const RACE_PAUSE_MS = 250;

/**
 * A write that lost a race to another writer of the same parent (a person,
 * or another mission's job) is sent again after a short pause: the other
 * add has landed by then. Still losing after a few tries, it is left to the
 * next reconcile (the error goes up as transient).
 */
async function raceAgain<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!transient(error) || attempt >= RACE_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, RACE_PAUSE_MS * attempt));
    }
  }
}

function refsOf(action: Action): Ref[] {
  switch (action.kind) {
    case "create-issue":
    case "record-issue":
      return [action.ref];
    case "link-sub-issue":
      return [action.parent, action.child];
    case "list-features":
      return [action.milestone];
    case "add-blocked-by":
      return [action.blocked, action.blocking];
    default:
      return [];
  }
}

export type DispatchResult = { runId: number; url?: string } | { runId?: undefined } | { error: string } | { notStarted: true };

/**
 * `workflow_dispatch` with `return_run_details`: the answer carries the run id.
 * A definite refusal (4xx) is reported; anything else leaves the run to be
 * found by its name, so a lost answer never dispatches twice. Enterprise
 * Server 3.20 and older refuse the field with 400 (cli/cli#12672): known by
 * its version, it is not asked; an unknown server that answers 400 gets the
 * dispatch again without it (and no more asks). The run is found by its name.
 */
async function dispatch(
  octokit: Octokit,
  repo: RepoRef,
  workflow: string,
  ref: string,
  inputs: Record<string, string>,
  find: () => Promise<{ id: number; html_url?: string } | undefined>,
  server: string,
  /** the server is known to take `return_run_details` (false: an Enterprise Server 3.20 or older, by its version) */
  runDetails = true,
): Promise<DispatchResult> {
  const send = async (details: boolean) =>
    octokit.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
      ...repo,
      workflow_id: workflow,
      ref,
      inputs,
      ...(details ? { return_run_details: true } : {}),
      ...NO_RETRY,
    });
  try {
    let response;
    try {
      response = await send(runDetails && !noRunDetails.has(server));
    } catch (error) {
      if (!runDetails || !isStatus(error, 400) || noRunDetails.has(server) || !/return_run_details/i.test(messageOf(error))) throw error;
      noRunDetails.add(server);
      response = await send(false);
    }
    const data = response.data as unknown as { workflow_run_id?: number; html_url?: string } | undefined;
    return data?.workflow_run_id ? { runId: data.workflow_run_id, ...(data.html_url ? { url: data.html_url } : {}) } : {};
  } catch (error) {
    const status = statusOf(error);
    // A rate limit refuses nothing: the run did not start; the next reconcile dispatches it.
    if (isRateLimited(error) || error instanceof RateLimitedError) return { notStarted: true };
    if (status !== undefined && status >= 400 && status < 500) {
      return { error: `GitHub refused to start \`${workflow}\` (${status}): ${inlineText(messageOf(error))}. Is the workflow on the default branch? \`npx mission-bot init\` writes it.` };
    }
    // 5xx or no answer: the run may exist. Look for it by name; GitHub lists a dispatched run only
    // seconds later, so not finding it yet proves nothing: the record stays, and a later reconcile
    // finds the run by its name, or (after a few minutes unseen) concludes it did not start.
    const run = await find().catch(() => undefined);
    if (run) return { runId: run.id, ...(run.html_url ? { url: run.html_url } : {}) };
    return {};
  }
}

/** The run a dispatch of `key` at try `attempt` would have started, looked up by its name. */
async function findDispatched(octokit: Octokit, repo: RepoRef, workflow: string, m: Mission, key: string, attempt: number) {
  const records = key.startsWith("validate-")
    ? m.plan?.milestones.find((ms) => `validate-${ms.key}` === key)?.validations
    : m.plan?.milestones.flatMap((ms) => ms.features).find((f) => f.key === key)?.runs;
  const record = records?.find((r) => r.try === attempt);
  return record ? findRunByNonce(octokit, repo, workflow, m.id, key, record) : undefined;
}

function recorded(m: Mission, ref: Ref): { number: number; id: number } | undefined {
  const [kind, key] = ref.split(":");
  for (const ms of m.plan?.milestones ?? []) {
    if (kind === "milestone" && ms.key === key) return ms.issue;
    const f = ms.features.find((x) => x.key === key);
    if (kind === "feature" && f) return f.issue;
  }
  return undefined;
}

/**
 * Link a child under a parent. A child already under that parent is
 * success; a child under another issue (a duplicate that was closed, or a
 * person's choice) is moved with `replace_parent`. A server without
 * sub-issues (an Enterprise Server the snapshot did not know as such)
 * answers 404 for an existing parent: "absent", and the caller lists the
 * features in the milestone instead.
 */
async function linkSubIssue(octokit: Octokit, repo: RepoRef, parent: number, child: { number: number; id: number }): Promise<"linked" | "absent"> {
  try {
    await raceAgain(() => octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent, sub_issue_id: child.id }));
  } catch (error) {
    if (isStatus(error, 404) && !(await issueExists(octokit, repo, parent))) throw error;
    if (isStatus(error, 404)) return "absent";
    if (!isStatus(error, 422) || transient(error)) throw error;
    const current = await octokit.rest.issues.getParent({ ...repo, issue_number: child.number }).catch(() => undefined);
    if (current?.data.number === parent) return "linked";
    if (!current) throw error;
    await raceAgain(() => octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent, sub_issue_id: child.id, replace_parent: true }));
  }
  return "linked";
}

async function issueExists(octokit: Octokit, repo: RepoRef, number: number): Promise<boolean> {
  try {
    await octokit.rest.issues.get({ ...repo, issue_number: number });
    return true;
  } catch (error) {
    if (isStatus(error, 404, 410)) return false;
    throw error;
  }
}

/** Record "blocked is blocked by blocking"; an existing dependency is success. */
async function addBlockedBy(octokit: Octokit, repo: RepoRef, blocked: number, blockingId: number) {
  try {
    await octokit.rest.issues.addBlockedByDependency({ ...repo, issue_number: blocked, issue_id: blockingId });
  } catch (error) {
    if (!isStatus(error, 422)) throw error;
    const { data } = await octokit.rest.issues.listDependenciesBlockedBy({ ...repo, issue_number: blocked, per_page: 100 });
    if (!data.some((i) => i.id === blockingId)) throw error;
  }
}
