/**
 * The decision's vocabulary in one module: what the loop reads (Snapshot),
 * what it decides (Decision, Action), and the small facts both sides share.
 * Every other module of the loop imports its types from here, so none needs
 * another's internals. Pure: types and constructors only.
 */
import type { Config, Mission } from "./model.js";
import type { History } from "./budget/forecast.js";
import type { PlanRequest, PlanResult } from "./plan/plan.js";
import type { ReadReport } from "./workers/report.js";
import type { ValidationReport } from "./validation/validation.js";
import type { Marker } from "./markers.js";
import type { FieldValue, ProjectRef } from "./board/model.js";
import type { SecretsFact } from "./workers/resources.js";
import type { RepoFact } from "./target/attach.js";
import type { FolderIndex } from "./workspace/model.js";
import type { SpendingFacts } from "./spending/facts.js";
import type { SecretText } from "./spending/secret.js";

// ---------------------------------------------------------------------------
// Where a mission lives

/** Built once per reconcile and passed down: the repository, its branches, who the bot is. */
export interface Where {
  /** owner/name */
  repo: string;
  /** workflows are dispatched from it; `.github/mission.yml` is read from it */
  defaultBranch: string;
  /** holds todo/missions/<id>/mission.md (config `state_branch`) */
  stateBranch: string;
  /** the bot's own login ("mission-bot[bot]", "github-actions[bot]"): only its text is evidence */
  botLogin: string;
  /** logins whose comments may carry worker and validation reports (the bot, and the workflows' github-actions[bot]) */
  reportLogins: readonly string[];
  /** https://github.com, or the Enterprise Server's own address: every link the bot writes starts here */
  serverUrl: string;
  /** the server has sub-issues (an older Enterprise Server has not: milestones list their features instead); default true */
  subIssues?: boolean;
  /** the server has issue dependencies (Enterprise Server 3.18 and older have not); default true */
  dependencies?: boolean;
  /** a workflow dispatch may ask for the run's id (`return_run_details`; Enterprise Server 3.20 and older refuse it); default true */
  runDetails?: boolean;
}

// ---------------------------------------------------------------------------
// What GitHub says now

/** What the bot refers to: the tracking issue, a milestone issue or a feature issue. */
export type Ref = "tracking" | `milestone:${string}` | `feature:${string}`;

export interface FoundIssue {
  number: number;
  id: number;
  state: "open" | "closed";
  labels?: readonly string[];
  /** when GitHub last saw it change (a comment counts) */
  updated_at?: string;
  /** how many comments it has, as the issue list counts them */
  comments?: number;
  /** a milestone issue's body as GitHub has it (the bot's own text), to rewrite its task list only when it changed */
  body?: string;
  /** GraphQL node id, as the REST answer carries it (a parent of the plan's GraphQL creates) */
  nodeId?: string;
  /** a feature issue: its body shows the acceptance criteria ticked by the bot (absent: not known) */
  ticked?: boolean;
  /** a person reopened it after it was closed (GitHub's state_reason `reopened`) */
  reopened?: boolean;
}

/** A repository role, as GitHub's collaborator permission endpoint names it (checked live). */
export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export function mayDirect(p: Permission): boolean {
  return p === "admin" || p === "maintain" || p === "write";
}

export interface Author {
  login: string;
  type: string;
}

/** The issue a reconcile is about: a tracking issue, or an issue someone wrote a command on. */
export interface IssueFact {
  number: number;
  id: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: readonly string[];
  isPullRequest: boolean;
  author: Author | null;
  created_at: string;
  /** a milestone or feature issue the bot wrote: its marker (read only from the bot's own issues) */
  ownMarker?: Marker;
  /** …and the tracking issue of its mission */
  partOf?: number;
  /** GraphQL node id, as the REST answer carries it */
  nodeId?: string;
}

/** A `/mission …` comment, oldest first: unanswered, or answered (its effect may still need recording). */
export interface CommandFact {
  id: number;
  url: string;
  body: string;
  created_at: string;
  author: Author;
  /** checked live when the snapshot was taken ("none" for a command already refused: not asked again) */
  permission: Permission;
  /** the bot already answered it (a reply, or a refusal) */
  answered?: "reply" | "refusal";
}

/** One of the bot's own comments on the issue (author = the bot's login): what it answered and posted. */
export interface BotComment {
  id: number;
  created_at: string;
  body: string;
  repliedTo: readonly number[];
  notices: readonly string[];
  refused: readonly string[];
}

/** An issue opened from the mission form (or labelled `mission`) whose mission does not exist yet. */
export interface FormFact {
  /** who opened it */
  requester: string;
  permission: Permission;
  /** the bot already answered it (its state may still need recording) */
  answered?: boolean;
}

export type MissionFact =
  | { kind: "none" }
  | { kind: "found"; mission: Mission; sha: string }
  /** the file exists but does not validate: reported once, never overwritten */
  | { kind: "invalid"; id: string; path: string; problems: string[]; sha: string };

/** A run as GitHub reports it now. */
export interface ObservedRun {
  id: number;
  /** GitHub's run status: requested, queued, pending, waiting, in_progress, completed */
  status: string;
  conclusion: import("./model.js").RunConclusion | null;
  updated_at: string;
  html_url?: string;
  run_attempt?: number;
}

export interface FoundReport {
  /** the feature issue the report was posted on */
  feature: string;
  /** the comment's URL, for the record */
  url: string;
  /** who posted it (a report login: only theirs are read) */
  login?: string;
  result: Exclude<ReadReport, { found: false }>;
}

export interface FoundValidationReport {
  /** the milestone whose issue the report was posted on */
  milestone: string;
  url: string;
  result: { found: true; ok: true; report: ValidationReport } | { found: true; ok: false; problems: string[] };
}

/** A feature issue found closed that the mission has not yet counted as done: who closed it, and may they. */
export interface CloseFact {
  feature: string;
  by: string;
  /** the bot, a report login, or a person with write access checked live */
  counts: boolean;
}

/** What the loop reads about a running mission's issues and runs. */
export interface LoopFacts {
  /** the bot's issues for this mission, found by their hidden markers */
  issues: ReadonlyMap<Ref, FoundIssue>;
  /** open issues GitHub holds twice for one item: the mission keeps `keep` */
  duplicates: readonly { ref: Ref; keep: number; extra: FoundIssue }[];
  /** what GitHub says now about runs recorded as unfinished, by run id */
  runs: ReadonlyMap<number, ObservedRun>;
  /** runs found by the nonce in their name, for dispatches whose answer was lost */
  runsByNonce: ReadonlyMap<string, ObservedRun>;
  reports: readonly FoundReport[];
  validationReports: readonly FoundValidationReport[];
  /** feature issues closed since the mission last looked */
  closes: readonly CloseFact[];
  /** features whose issue changed after all their runs were booked, read again for reports (a re-run reports again) */
  reread?: readonly string[];
  /** the Actions secrets' names, read only while a feature next to start waits for one (workers/resources.ts) */
  secrets?: SecretsFact;
  /** the mission folder's research notes, scripts and assets, when read in this reconcile */
  folder?: FolderIndex;
  /** cards and email replies of the mission's requests, when the bot has providers for them (spending/facts.ts) */
  spending?: SpendingFacts;
}

export interface Snapshot {
  where: Where;
  config: Config;
  /** ISO time of this reconcile */
  now: string;
  issue: IssueFact;
  mission: MissionFact;
  commands: readonly CommandFact[];
  botComments: readonly BotComment[];
  /** the newest comment read on the issue (ISO time), if any */
  commentsUntil?: string;
  form?: FormFact;
  /** finished features of this repository's missions, for forecasts */
  history: History;
  /** the planner's answer, when this reconcile follows a plan request */
  planned?: PlannerAnswer;
  /** present once the mission runs (active, paused, validating, completed, cancelled) */
  loop?: LoopFacts;
  /** the repositories the mission builds in or a `/mission attach` names, read live (target/attach.ts) */
  repos?: readonly RepoFact[];
  /** node ids REST answers carried, for the plan's GraphQL creates; read while the plan has issues to make (the labels also where a mission may start) */
  nodeIds?: NodeIdFacts;
}

export interface NodeIdFacts {
  repository?: string;
  /** label name → node id, for the labels read (the tracking issue's, the repository's first page): these exist */
  labels: Readonly<Record<string, string>>;
}

export interface PlannerAnswer {
  result: PlanResult;
  plannerName: string;
  /** shown when the planner could not plan (how to write an outline) */
  help?: string;
}

// ---------------------------------------------------------------------------
// What to do

export interface WorkerDispatch {
  feature: string;
  try: number;
  issue: number;
  nonce: string;
  limits: { max_turns: number; timeout_minutes: number; max_cost_usd?: number };
}

export interface LabelSpec {
  name: string;
  color: string;
  description: string;
}

export type Action =
  /** write the decision's mission to mission.md (created when there is none) */
  | { kind: "commit-mission"; message: string }
  /** answer a command comment on the issue (the answer carries its reply marker) */
  | { kind: "reply"; to: number; body: string; refused?: string }
  /**
   * rewrite the bot's answer to a command (`"form"`: its answer to the mission form): `replacing` that
   * part of it when given (a plan replacing "planning…"); posted as a new answer when there is none
   */
  | { kind: "edit-reply"; to: number | "form"; body: string; replacing?: string }
  | { kind: "ensure-labels"; labels: LabelSpec[] }
  /** `parent`: the issue it goes under (the link that follows it may then be made by the create itself) */
  | { kind: "create-issue"; ref: Ref; title: string; body: string; labels: string[]; parent?: Ref }
  | { kind: "link-sub-issue"; parent: Ref; child: Ref }
  /** a server without sub-issues: rewrite the milestone issue's body to list its features' issues as a task list */
  | { kind: "list-features"; milestone: Ref }
  | { kind: "add-blocked-by"; blocked: Ref; blocking: Ref }
  /** the item's issue exists and is fully linked: write its number and id into the mission */
  | { kind: "record-issue"; ref: Ref }
  | { kind: "dispatch-worker"; dispatch: WorkerDispatch }
  | { kind: "dispatch-validation"; milestone: string; try: number; nonce: string }
  | { kind: "cancel-run"; runId: number }
  /** posted once per key (a hidden marker, recorded in the mission); `marks` (budget alerts) are recorded once it is posted */
  | { kind: "comment"; on: Ref; key: string; body: string; marks?: string[] }
  | { kind: "close-issue"; ref: Ref; reason: "completed" | "not_planned" }
  | { kind: "reopen-issue"; ref: Ref }
  /** an issue GitHub holds twice: say so on it and close it as a duplicate */
  | { kind: "close-duplicate"; number: number; comment: string }
  | { kind: "label"; on: Ref; add?: string[]; remove?: string[] }
  /**
   * POC, at the end: propose the mission branch to the default branch as a pull request (an open one
   * from that branch is kept, not made twice); records the pull request, or that there was nothing to merge
   */
  | { kind: "hand-over"; head: string; base: string; title: string; body: string }
  /**
   * the feature is done with evidence (recorded in the mission beforehand): check its acceptance criteria on its
   * issue (the body rewritten); `close`: in the same write, close the issue as completed (a POC feature its report finished)
   */
  | { kind: "check-acceptance"; feature: string; evidence: string; close?: boolean }
  /**
   * the Project board: `setup` makes its fields (and, on a new board, its views); each item's card gets
   * `values` (field name → value: only what changed since the bot last wrote it), re-read before written
   */
  | { kind: "board-sync"; project: ProjectRef; setup: boolean; items: Array<{ ref: Ref; values: Record<string, FieldValue> }> }
  /** make a Project board for the mission (`/mission project`), in the repository's organisation */
  | { kind: "board-create"; title: string }
  /** make the repository `/mission attach --create` asked for (from its template when given), then attach it (records the target, clears the request) */
  | { kind: "attach-create"; repo: string; template?: string; comment: number }
  /** write a drafted mission agent's file on the state branch (todo/missions/<id>/agents/<name>.md), then record it written */
  | { kind: "write-agent"; name: string }
  /** `/mission promote <name>`: open a pull request adding the agent to `worker.agents_folder` on the default branch, then record it */
  | { kind: "promote-agent"; name: string }
  | { kind: "update-dashboard" }
  /** an approved request: make its virtual card, or send its email (apply records the card's id or the Message-ID) */
  | { kind: "spend"; request: string }
  /** the purchase is made: the card takes no more charges (Stripe status `inactive`) */
  | { kind: "freeze-card"; request: string }
  /** a code from a reply reaches the next run of the feature as an Actions secret (github/hand-over.ts), never a comment */
  | { kind: "hand-over-secret"; request: string; issue: number; name: string; value: SecretText; uid: number }
  /** the run that needed it is done: delete the secret */
  | { kind: "revoke-hand-over"; request: string; secret: string };

/**
 * A step as the tracking issue is told GitHub refused it; the notice's key (`refused:<step>:<status>`, recorded
 * in the mission) says it was refused, so a step the loop would take again can be left alone.
 */
export function describeStep(action: Action): string {
  switch (action.kind) {
    case "create-issue":
      return `creating the issue for ${action.ref}`;
    case "link-sub-issue":
      return `linking ${action.child} under ${action.parent}`;
    case "list-features":
      return `listing the features of ${action.milestone}`;
    case "add-blocked-by":
      return `recording that ${action.blocked} is blocked by ${action.blocking}`;
    case "label":
      return `labelling ${action.on}`;
    case "close-issue":
    case "reopen-issue":
      return `${action.kind === "close-issue" ? "closing" : "reopening"} ${action.ref}`;
    case "check-acceptance":
      return `checking the acceptance criteria of feature:${action.feature}${action.close ? " and closing it" : ""}`;
    default:
      return action.kind;
  }
}

/** GitHub refused this step before (its notice is recorded): the loop does not take it again on its own. */
export function refusedBefore(m: Mission, action: Action): boolean {
  const prefix = `refused:${describeStep(action)}:`;
  return m.notices.some((key) => key.startsWith(prefix));
}

export interface Decision {
  /** the mission as it should be recorded; absent when the issue has none */
  mission?: Mission;
  actions: Action[];
  /** ask the planner, then reconcile again with its answer */
  plan?: PlanRequest;
  /** the mission started running in this decision: reconcile again to read its issues and runs */
  more?: boolean;
}
