/**
 * The mission's vocabulary as zod schemas. One schema per format, used by
 * every writer and every reader (mission.md, the tracking issue's state block,
 * planners, the dashboard). Pure: no I/O.
 */
import { z } from "zod";
import { OutcomeLevel } from "./budget/levels.js";
import { BoardRecord, ProjectConfig } from "./board/model.js";
import { EmailConfig } from "./outside/email-config.js";
import { Resources, ResourcesConfig, ResourceStatus } from "./plan/resources.js";
import { HomeOnly, TargetFields } from "./target/target.js";
import { AgentRecord, DEFAULT_AGENTS_FOLDER, FolderIndex, KnowledgeTag, MAX_AGENTS } from "./workspace/model.js";
import { Spending } from "./spending/model.js";
import { SPENDING_CONFIG_DEFAULT, SpendingConfig } from "./spending/config.js";

/**
 * `m-<date>-<slug>-<tracking issue>`. At most 42 characters, so that the
 * mission's label `mission:<id>` fits GitHub's 50-character label names.
 */
export const MISSION_ID_MAX = 42;
export const MissionId = z
  .string()
  .max(MISSION_ID_MAX, `a mission id has at most ${MISSION_ID_MAX} characters`)
  .regex(/^m-\d{8}-[a-z0-9][a-z0-9-]{0,40}$/, "a mission id looks like m-20261124-crm-42");
export type MissionId = z.infer<typeof MissionId>;

export const Mode = z.enum(["poc", "full"]);
export type Mode = z.infer<typeof Mode>;

export const MissionStatus = z.enum([
  "scoping",
  "planned",
  "active",
  "paused",
  "validating",
  "completed",
  "cancelled",
]);
export type MissionStatus = z.infer<typeof MissionStatus>;

export const Size = z.enum(["S", "M", "L"]);
export type Size = z.infer<typeof Size>;

/** "2" for the second milestone. */
export const MilestoneKey = z.string().regex(/^\d{1,2}$/, "a milestone key is its number, like 2");
/** "2.3" for the third feature of milestone 2; fix features use "2.fix-<slug>". */
export const FeatureKey = z
  .string()
  .regex(/^\d{1,2}\.[0-9a-z][0-9a-z-]{0,60}$/, "a feature key looks like 2.3");
export type FeatureKey = z.infer<typeof FeatureKey>;

const isoDate = z.iso.datetime({ offset: true });

/**
 * Budget limits. `undefined` means "not answered yet" (the interview asks);
 * `null` means "uncapped" (answered, no limit).
 * Money is stored in dollars as the user wrote it and converted to integer
 * micro-dollars for every computation (see budget.ts).
 */
export const Budget = z.strictObject({
  hours: z.number().positive().nullable().optional(),
  usd: z.number().positive().nullable().optional(),
  tokens: z.number().int().positive().nullable().optional(),
  /** fractions of each dimension at which an alert is posted once */
  alerts: z.array(z.number().gt(0).lte(2)).default([0.5, 0.8, 1]),
  /** at 100%: let running workers finish, or cancel them */
  hard_stop: z.enum(["finish", "cancel"]).default("finish"),
});
export type Budget = z.infer<typeof Budget>;

export const Preferences = z.strictObject({
  stack: z.string().max(500).optional(),
  deploy: z.string().max(500).optional(),
  test_framework: z.string().max(500).optional(),
  notes: z.string().max(2000).optional(),
});
export type Preferences = z.infer<typeof Preferences>;

/** What kind of mission the goal asks for: it decides which probes the interview asks. */
export const MissionKind = z.enum(["product", "feature", "integration", "research", "infrastructure"]);
export type MissionKind = z.infer<typeof MissionKind>;

/** The interview's probes: a kind asks a few of them; "" = asked and left unanswered. */
export const Probes = z.strictObject({
  /** who uses it and how, step by step */
  journey: z.string().max(2000).optional(),
  /** what must hold whatever else gives */
  musts: z.string().max(2000).optional(),
  /** what would make the mission a failure */
  failure: z.string().max(2000).optional(),
  /** the systems an integration joins and what flows between them */
  systems: z.string().max(2000).optional(),
  /** the question research must answer, and what it delivers */
  question: z.string().max(2000).optional(),
  /** where infrastructure runs today and what it must run on */
  environment: z.string().max(2000).optional(),
});
export type Probes = z.infer<typeof Probes>;

export const Scope = z.strictObject({
  kind: MissionKind,
  probes: Probes.default({}),
});
export type Scope = z.infer<typeof Scope>;

export const ModelRouting = z.strictObject({
  planner: z.string().min(1).describe("model that plans missions"),
  worker: z.string().min(1).describe("model the workers run at the Production-ready level (MVP runs `tiers.cheap`, Polished `tiers.top`)"),
  /**
   * No model judges validation: a milestone passes on the repository's own commands, its criteria and the
   * browser checks, which a model cannot fake. Accepted (and ignored) so older settings and mission.md files load.
   */
  validator: z.string().min(1).optional().describe("not used: validation is the repository's commands, the milestone's criteria and the browser checks, never a model's judgement (accepted so older settings load)"),
});
export type ModelRouting = z.infer<typeof ModelRouting>;

/** A GitHub issue the bot created: number for humans and URLs, id for sub-issue links. */
export const IssueLink = z.strictObject({
  number: z.number().int().positive(),
  id: z.number().int().positive(),
});
export type IssueLink = z.infer<typeof IssueLink>;

/** How a GitHub Actions run ended (the `conclusion` GitHub reports). */
export const RunConclusion = z.enum([
  "success",
  "failure",
  "cancelled",
  "timed_out",
  "action_required",
  "neutral",
  "skipped",
  "stale",
  "startup_failure",
]);
export type RunConclusion = z.infer<typeof RunConclusion>;

/**
 * One dispatch of a worker (or a validation) run. The intent is recorded
 * ("dispatching", no run id) and committed before the dispatch, so a crash
 * between the two is found again by the run's name instead of dispatching twice.
 */
export const RunRecord = z.strictObject({
  /** 1 for the first dispatch, 2 for the first retry, … */
  try: z.number().int().min(1),
  run_id: z.number().int().positive().optional(),
  dispatched_at: isoDate,
  status: z.enum(["dispatching", "queued", "in_progress", "completed"]),
  conclusion: RunConclusion.optional(),
  /** when the bot last saw the run change */
  updated_at: isoDate.optional(),
  url: z.string().optional(),
  /** what the run's report said; "malformed" when it could not be read */
  reported: z.enum(["success", "failure", "malformed"]).optional(),
  /** the commit the run's report names (POC: on the mission branch), the evidence in the completion report */
  commit: z.string().regex(/^[0-9a-f]{7,40}$/).optional(),
  /** Full mode: the pull request the run's report names (the dashboard's link, the completion report) */
  pull_request: z.number().int().positive().optional(),
});
export type RunRecord = z.infer<typeof RunRecord>;

export const Feature = z.strictObject({
  key: FeatureKey,
  title: z.string().min(1).max(200),
  /** what the worker receives */
  description: z.string().max(20_000).default(""),
  acceptance: z.array(z.string().min(1).max(1000)).default([]),
  size: Size,
  depends_on: z.array(FeatureKey).default([]),
  issue: IssueLink.optional(),
  /** worker runs, oldest first */
  runs: z.array(RunRecord).default([]),
  /** set when the bot gave up on this feature (retries exhausted, …): why */
  needs_human: z.string().max(2000).optional(),
  /** runs before this index do not count against worker.max_attempts (set by /mission retry) */
  attempts_base: z.number().int().nonnegative().default(0),
  /** for a fix feature opened by a failed validation: the failure it fixes */
  fix_for: z.string().max(300).optional(),
  /** done: its issue was closed by the bot, a worker's report, or a person with write access (checked live) */
  done: z.strictObject({ by: z.string().min(1).max(100), at: isoDate }).optional(),
  /** when its issue was last read again for reports after every run was booked (a person may re-run a worker: a second report, same run) */
  reports_read: isoDate.optional(),
  /**
   * comments on its issue (as the issue list counts them) when its reports were last read: a new comment
   * (a re-run's report) is what makes a look again worth it, not any change (the bot closing the issue)
   */
  reports_seen: z.number().int().nonnegative().optional(),
  /** the evidence with which the bot checked the acceptance criteria on the feature's issue (its worker's report, its milestone's validation) */
  acceptance_met: z.string().max(1000).optional(),
  /** knowledge it needs, by tag: two or more features sharing a tag get a mission agent (workspace/drafting.ts) */
  knowledge: z.array(KnowledgeTag).max(5).optional(),
  /** "research": its worker writes notes only, to the mission folder's research/ (workspace/research.ts); they feed `/mission replan` */
  kind: z.literal("research").optional(),
});
export type Feature = z.infer<typeof Feature>;

/** A validation run of a milestone and what it found. */
export const ValidationRecord = RunRecord.extend({
  /** pass/fail from the validation report; "invalid" when the report was missing or malformed */
  outcome: z.enum(["pass", "fail", "invalid"]).optional(),
  /** failure signatures found (one per failing area), for fix features and dedup */
  failures: z.array(z.string().max(300)).default([]),
  /** the milestone's criteria a command or page checked, and how many of them passed */
  criteria: z.strictObject({ passed: z.number().int().nonnegative(), checked: z.number().int().nonnegative() }).optional(),
});
export type ValidationRecord = z.infer<typeof ValidationRecord>;

/** Most validation criteria a milestone carries, and the longest one (they travel as one dispatch input). */
export const CRITERIA_LIMITS = { perMilestone: 10, chars: 300 } as const;
const criterionText = z.string().trim().min(1).max(CRITERIA_LIMITS.chars);
/**
 * What must be true when a milestone is done, checked by its validation run:
 * a shell `command` run like `validation.commands` (it passes on exit code 0),
 * a `url` (a path or a same-origin URL) loaded in the browser checks, or a
 * `check`: a statement no command checks, reported as "not checked".
 */
export const MilestoneCriterion = z.union([
  z.strictObject({ command: criterionText }),
  z.strictObject({ url: criterionText }),
  z.strictObject({ check: criterionText }),
]);
export type MilestoneCriterion = z.infer<typeof MilestoneCriterion>;
export const MilestoneCriteria = z.array(MilestoneCriterion).max(CRITERIA_LIMITS.perMilestone);

export const Milestone = z.strictObject({
  key: MilestoneKey,
  title: z.string().min(1).max(200),
  description: z.string().max(10_000).default(""),
  /** what its validation run checks besides `validation.commands` (see MilestoneCriterion) */
  criteria: MilestoneCriteria.optional(),
  features: z.array(Feature),
  issue: IssueLink.optional(),
  /** validation runs, oldest first */
  validations: z.array(ValidationRecord).default([]),
  /** "passed" by a validation run, or "skipped" by a person (see the decision log) */
  validated: z.enum(["passed", "skipped"]).optional(),
  /** failed validations a person has seen (by /mission resume): only later failures count towards the pause */
  failures_acknowledged: z.number().int().nonnegative().default(0),
  /** a person asked for validation now (/mission validate) */
  validate_now: z.boolean().optional(),
});
export type Milestone = z.infer<typeof Milestone>;

/** A milestone or feature a replan of the running mission dropped: its issue is closed with the reason, its key never used again. */
export const DroppedItem = z.strictObject({
  kind: z.enum(["milestone", "feature"]),
  key: z.string().regex(/^\d{1,3}(\.\d{1,3})?$/),
  title: z.string().min(1).max(200),
  issue: IssueLink.optional(),
  reason: z.string().min(1).max(2000),
  at: isoDate,
});
export type DroppedItem = z.infer<typeof DroppedItem>;

export const Plan = z.strictObject({
  /** which planner produced it: "outline" or the model name */
  source: z.string().min(1),
  milestones: z.array(Milestone),
  /** what replans of the running mission dropped, oldest first */
  dropped: z.array(DroppedItem).optional(),
  /** secrets, infrastructure and accounts the mission needs (README "Resources"; plan/resources.ts) */
  resources: Resources.optional(),
});
export type Plan = z.infer<typeof Plan>;

export const LedgerEntry = z.strictObject({
  /** unique per run and attempt, e.g. "run-123456-1"; a duplicate report adds nothing */
  key: z.string().min(1),
  kind: z.enum(["worker", "validation", "planner", "purchase"]),
  /** a purchase: who approved it ("mission-bot" under the `auto`/`notify` thresholds) and when */
  approved: z.strictObject({ by: z.string().min(1).max(100), at: isoDate }).optional(),
  feature: FeatureKey.optional(),
  model: z.string().optional(),
  tokens_in: z.number().int().nonnegative(),
  tokens_out: z.number().int().nonnegative(),
  /** integer micro-dollars: no floating-point drift */
  cost_micros: z.number().int().nonnegative(),
  wall_seconds: z.number().nonnegative().default(0),
  actions_minutes: z.number().nonnegative().default(0),
  at: isoDate,
  /** e.g. "malformed report: …" — a report that could not be read is recorded, not dropped */
  note: z.string().max(2000).optional(),
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const Decision = z.strictObject({
  at: isoDate,
  by: z.string().min(1),
  what: z.string().min(1).max(2000),
  /** the command comment that decided it: a command recorded here is never applied twice */
  comment: z.number().int().positive().optional(),
});
export type Decision = z.infer<typeof Decision>;

/** A budget dimension, as the retrospective compares it: money (integer micro-dollars), hours, tokens. */
export const BudgetCategory = z.enum(["usd", "hours", "tokens"]);
export type BudgetCategory = z.infer<typeof BudgetCategory>;

/** Budget accuracy of one category: what was budgeted and forecast against what was spent. */
export const AccuracyRow = z.strictObject({
  category: BudgetCategory,
  /** the budget's cap at the end; null: uncapped */
  budgeted: z.number().nonnegative().nullable(),
  /** what the forecast said the plan's features would cost (the point estimate) */
  forecast: z.number().nonnegative(),
  /** what the ledger says was spent */
  actual: z.number().nonnegative(),
  /** actual − budgeted (negative: under budget); null when uncapped */
  variance: z.number().nullable(),
  /** (actual − forecast) ÷ forecast (0.25: 25% over the forecast); null when nothing was forecast */
  forecast_error: z.number().nullable(),
});
export type AccuracyRow = z.infer<typeof AccuracyRow>;

/** Written once when the mission completes; the next mission's calibration reads it (budget/retrospective.ts). */
export const Retrospective = z.strictObject({
  at: isoDate,
  /** one row per category: usd, hours, tokens */
  accuracy: z.array(AccuracyRow).max(3),
  /** what is worth keeping for the next mission */
  lessons: z.array(z.string().min(1).max(1000)).max(20).default([]),
});
export type Retrospective = z.infer<typeof Retrospective>;

/** POC: the mission branch proposed to the default branch at the end. */
export const HandOver = z.strictObject({
  at: isoDate,
  /** the pull request from `mission/<id>` to the default branch */
  pull_request: z.number().int().positive().optional(),
  url: z.string().max(500).optional(),
  /** the mission branch had nothing to merge (no commits ahead of the default branch, or no branch) */
  nothing_to_merge: z.boolean().optional(),
  /** GitHub refused to open it (a person must open it, or lift the refusal): its answer */
  refused: z.string().max(500).optional(),
});
export type HandOver = z.infer<typeof HandOver>;

export const Mission = z.strictObject({
  id: MissionId,
  title: z.string().min(1).max(200),
  goal: z.string().min(1).max(10_000),
  status: MissionStatus,
  /** undefined while the interview has not asked it */
  mode: Mode.optional(),
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "repo is owner/name"),
  tracking_issue: z.number().int().positive(),
  created: isoDate,
  created_by: z.string().min(1),
  budget: Budget,
  models: ModelRouting,
  /** undefined: not answered; []: answered "none" */
  constraints: z.array(z.string().min(1).max(1000)).optional(),
  /** undefined: not answered; {}: answered "none" */
  preferences: Preferences.optional(),
  /** the kind of mission and the probes' answers (absent in missions started before the interview classified) */
  scope: Scope.optional(),
  plan: Plan.optional(),
  /** the outcome level approved (`/mission approve mvp|production|polished`); absent: approved before levels existed, runs as production-ready */
  level: OutcomeLevel.optional(),
  /** branch workers commit to in POC mode */
  branch: z.string().optional(),
  ledger: z.array(LedgerEntry).default([]),
  decisions: z.array(Decision).default([]),
  /** budget alerts already posted, e.g. "usd:0.8": each is posted once */
  alerts_sent: z.array(z.string()).default([]),
  /** why the mission is paused (a person, the budget, repeated validation failures) */
  paused_reason: z.string().max(2000).optional(),
  /** the last pass could not start this feature: its forecast does not fit what remains of the budget (cleared once a pass is not refused) */
  waiting_for_budget: z.strictObject({ feature: FeatureKey, since: isoDate }).optional(),
  /** a plan was asked for and has not been answered yet: the command (absent: the mission form) whose answer shows it */
  planning: z.strictObject({ comment: z.number().int().positive().optional(), at: isoDate, change: z.string().max(10_000).optional() }).optional(),
  /** keys of the notices already posted (each is posted once) */
  notices: z.array(z.string().max(300)).default([]),
  /** comments on the tracking issue up to this time have been read: later reconciles list only newer ones */
  seen_until: isoDate.optional(),
  /** POC: the hand-over pull request, once proposed (or that there was nothing to merge) */
  hand_over: HandOver.optional(),
  /** budget accuracy and lessons, written when the mission completes */
  retrospective: Retrospective.optional(),
  /** the Project board the mission is tracked on: what the bot learned about it (README "Project board") */
  board: BoardRecord.optional(),
  /** a person asked for a Project board (`/mission project`): made by the next apply, then cleared */
  board_request: z.strictObject({ at: isoDate, by: z.string().min(1).max(100) }).optional(),
  /** the plan's resources found among the Actions secrets or confirmed by a person (plan/resources.ts) */
  resource_status: ResourceStatus.optional(),
  /** where it builds, when not where it lives (README "Missions without a repository") */
  ...TargetFields,
  /** mission agents the bot drafted (their files are in todo/missions/<id>/agents/ on the state branch) */
  agents: z.array(AgentRecord).max(MAX_AGENTS).optional(),
  /** the mission folder's research notes, scripts and assets, as last read (README "The mission folder") */
  folder: FolderIndex.optional(),
  /** what workers asked to buy or write, and what became of it (spending/model.ts) */
  spending: Spending.optional(),
});
export type Mission = z.infer<typeof Mission>;
export type MissionInput = z.input<typeof Mission>;

/** Price of a model in US dollars per million tokens. */
export const Price = z.strictObject({
  input: z.number().nonnegative().describe("US dollars per million input tokens"),
  output: z.number().nonnegative().describe("US dollars per million output tokens"),
});
export type Price = z.infer<typeof Price>;

/**
 * Shipped defaults, US dollars per million tokens, as the providers publish
 * them (Anthropic's and OpenAI's price pages, November 2026). `.github/mission.yml`
 * may override or extend them.
 */
export const DEFAULT_PRICES: Record<string, Price> = {
  "claude-opus-5-5": { input: 4, output: 20 },
  "claude-sonnet-5-5": { input: 2, output: 10 },
  "claude-opus-4-6": { input: 5, output: 25 },
  "claude-opus-4-5": { input: 5, output: 25 },
  "claude-sonnet-4-6": { input: 3, output: 15 },
  "claude-sonnet-4-5": { input: 3, output: 15 },
  "claude-haiku-4-5": { input: 1, output: 5 },
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
};

const SizeBaseline = z.strictObject({
  /** tokens (input + output) a worker spends on a feature of this size */
  tokens: z.number().int().positive().describe("tokens (input + output) a worker spends on a feature of this size"),
  /** wall-clock hours a worker needs for a feature of this size */
  hours: z.number().positive().describe("wall-clock hours a worker needs for a feature of this size"),
});

/**
 * US dollars per Actions minute by runner type (GitHub's billing SKU), as
 * GitHub publishes them from January 1, 2026 ("Actions runner pricing").
 * Standard runners are free in public repositories and within a plan's
 * included minutes: set the runner's price to 0 there.
 */
export const DEFAULT_RUNNER_PRICES: Record<string, number> = {
  linux_slim: 0.002,
  linux: 0.006,
  windows: 0.01,
  macos: 0.062,
};

const RunnerPrices = z.strictObject({
  /** the runner type worker and validation runs use: a key of `per_minute` */
  runner: z.string().min(1).default("linux").describe("the runner type worker and validation runs use: a key of `per_minute`"),
  per_minute: z
    .record(z.string(), z.number().nonnegative())
    .default(DEFAULT_RUNNER_PRICES)
    .describe("US dollars per Actions minute by runner type (GitHub's prices from January 2026); 0 for free minutes"),
});

const PER_RUN_DEFAULTS = { max_turns: 200, timeout_minutes: 360, tokens_per_turn: 10_000 };

/** The branch mission.md files live on unless `.github/mission.yml` says otherwise. */
export const DEFAULT_STATE_BRANCH = "mission-bot/state";
/**
 * Hosts a worker's agent may reach over HTTPS through the egress proxy (the
 * package registries of npm, Yarn, PyPI, Go and Cargo), besides the model
 * API through the metering proxy. Nothing else: not github.com (the agent
 * works in a checkout already, and a host it can reach is a host it can
 * send data to).
 */
export const DEFAULT_EGRESS = [
  "registry.npmjs.org",
  "registry.yarnpkg.com",
  "repo.yarnpkg.com",
  "pypi.org",
  "files.pythonhosted.org",
  "proxy.golang.org",
  "sum.golang.org",
  "index.crates.io",
  "static.crates.io",
];

/** The container image a worker's agent runs in: Debian with Node 24, git, Python 3 and a compiler. */
export const DEFAULT_AGENT_IMAGE = "node:24-bookworm";

const WORKER_DEFAULTS = {
  workflow: "mission-worker.yml",
  agents_folder: DEFAULT_AGENTS_FOLDER,
  max_attempts: 3,
  stuck_after_minutes: 390,
  image: DEFAULT_AGENT_IMAGE,
  egress: DEFAULT_EGRESS,
};

/** GitHub's own bot: mission-bot writes as it when it runs on a workflow's GITHUB_TOKEN. */
export const ACTIONS_BOT_LOGIN = "github-actions[bot]";

const HostPattern = z
  .string()
  .max(253)
  .regex(/^(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i, "a host name like registry.npmjs.org, or *.example.com for its subdomains");

const PerRun = z.strictObject({
  /** the most turns a worker run may take, whatever its forecast */
  max_turns: z.number().int().min(1).max(10_000).default(PER_RUN_DEFAULTS.max_turns).describe("the most turns a worker run may take, whatever its forecast"),
  /** the longest a worker run may take; 360 is GitHub's limit for a job on a GitHub-hosted runner */
  timeout_minutes: z.number().int().min(1).max(4320).default(PER_RUN_DEFAULTS.timeout_minutes).describe("the longest a worker run may take; 360 is GitHub's limit for a job on a GitHub-hosted runner"),
  /** tokens one turn is expected to use, to turn a token forecast into a number of turns */
  tokens_per_turn: z.number().int().positive().default(PER_RUN_DEFAULTS.tokens_per_turn).describe("tokens one turn is expected to use, to turn a token forecast into a number of turns"),
});

/**
 * How a milestone is validated (`validation:` in `.github/mission.yml`). The
 * validation workflow reads `commands` and `browser` from the default
 * branch's file (Action mode validate-plan); without `commands` it runs the
 * defaults from package.json (see defaultValidationCommands in validation.ts).
 */
export const ValidationCommand = z.union([
  z.string().min(1).max(2000),
  z.strictObject({
    name: z.string().regex(/^[\w .:/-]{1,60}$/, "a command name is up to 60 letters, digits, spaces and . : / -").describe("the command's name in the results"),
    command: z.string().min(1).max(2000).describe("the shell command"),
    /** the command for one test file, `{file}` replaced by it (e.g. `npx vitest run {file}`) */
    rerun: z.string().max(2000).optional().describe("the command for one test file, `{file}` replaced by it (e.g. `npx vitest run {file}`)"),
  }),
]);
export type ValidationCommand = z.infer<typeof ValidationCommand>;

export const ValidationConfig = z.strictObject({
  /** workflow file dispatched to validate a milestone */
  workflow: z.string().default("mission-validate.yml").describe("workflow file dispatched to validate a milestone"),
  /** shell commands, in order; a string's name is the command itself */
  commands: z
    .array(ValidationCommand)
    .min(1)
    .max(20)
    .optional()
    .describe("shell commands, in order; a string's name is the command itself (default: install, build, lint, typecheck and test from package.json)"),
  /** browser checks with Playwright against a URL the repository serves */
  browser: z
    .strictObject({
      url: z.url().describe("the URL the repository's app answers on"),
      paths: z
        .array(z.string().regex(/^\//, "a path starts with /").max(500))
        .min(1)
        .max(20)
        .default(["/"])
        .describe("pages to load and screenshot"),
      /** command that serves the app in the background (omit when `url` is already live) */
      start: z.string().min(1).max(2000).optional().describe("command that serves the app in the background (omit when `url` is already live)"),
    })
    .optional()
    .describe("browser checks with Playwright against a URL the repository serves"),
  /** failed validations of one milestone before the mission pauses for a human */
  max_failures: z.number().int().min(1).max(20).default(3).describe("failed validations of one milestone before the mission pauses for a human"),
  /** minutes all commands together may take */
  timeout_minutes: z.number().int().min(1).max(330).default(30).describe("minutes all commands together may take"),
});
export type ValidationConfig = z.infer<typeof ValidationConfig>;

/** The most a mission's budget may be set or raised to, unless `.github/mission.yml` says otherwise (`budget.max_*`). */
export const BUDGET_MAXIMUMS = { usd: 100_000, hours: 10_000, tokens: 10_000_000_000 } as const;
/** How high `budget.max_*` may go: amounts the ledger still counts exactly (integer micro-dollars, whole tokens). */
export const MAXIMUM_CEILINGS = { usd: 1_000_000_000, hours: 1_000_000, tokens: 1_000_000_000_000 } as const;

/** `.github/mission.yml`, validated; every field has a default. */
export const Config = z.strictObject({
  models: ModelRouting.default({
    planner: "claude-sonnet-5-5",
    worker: "claude-sonnet-5-5",
  }).describe("model per role; `prices` must name each model used"),
  /** model per price tier, used by the budget analysis */
  tiers: z
    .strictObject({
      cheap: z.string().describe("the model workers run at the MVP level"),
      standard: z.string().describe("the standard tier (by default the same model as `models.worker`)"),
      top: z.string().describe("the model workers run at the Polished level; also prices models without a price"),
    })
    .default({ cheap: "claude-haiku-4-5", standard: "claude-sonnet-5-5", top: "claude-opus-5-5" })
    .describe("model per price tier: which model each outcome level's workers run (README, Outcome levels)"),
  prices: z.record(z.string(), Price).default(DEFAULT_PRICES).describe("price per model, US dollars per million tokens; replaces the shipped table when set"),
  baselines: z
    .strictObject({
      S: SizeBaseline.describe("a small feature"),
      M: SizeBaseline.describe("a medium feature"),
      L: SizeBaseline.describe("a large feature"),
    })
    .default({
      S: { tokens: 200_000, hours: 0.5 },
      M: { tokens: 600_000, hours: 1.5 },
      L: { tokens: 1_500_000, hours: 4 },
    })
    .describe("what a worker spends on a feature of each size, before history calibrates it"),
  /** share of a worker's tokens that are output tokens */
  output_share: z.number().min(0).max(1).default(0.15).describe("share of a worker's tokens that are output tokens"),
  planner: z
    .strictObject({
      provider: z
        .enum(["outline", "anthropic"])
        .default("anthropic")
        .describe("anthropic: plan with Claude when the key is set; outline: always plan from the issue's outline"),
      /** name of the environment variable holding the key; never the key itself */
      api_key_env: z
        .string()
        .regex(/^[A-Z][A-Z0-9_]*_API_KEY$/, "must name an environment variable ending in _API_KEY, like ANTHROPIC_API_KEY (so no other secret of the bot is sent as the key)")
        .default("ANTHROPIC_API_KEY")
        .describe("name of the environment variable holding the key, ending in _API_KEY; never the key itself"),
    })
    .default({ provider: "anthropic", api_key_env: "ANTHROPIC_API_KEY" })
    .describe("how missions are planned"),
  budget: z
    .strictObject({
      alerts: z.array(z.number().gt(0).lte(2)).default([0.5, 0.8, 1]).describe("fractions of each budget at which the tracking issue is told, once"),
      hard_stop: z.enum(["finish", "cancel"]).default("finish").describe("at 100%: let running workers finish, or cancel them"),
      /** ceilings for one worker run; the limits passed to a run are derived from its forecast (enforce.ts) */
      per_run: PerRun.default(PER_RUN_DEFAULTS).describe("ceilings for one worker run; a run's limits come from its forecast, within these"),
      max_usd: z.number().positive().max(MAXIMUM_CEILINGS.usd).default(BUDGET_MAXIMUMS.usd).describe("the most money, in US dollars, a mission's budget may be set or raised to"),
      max_hours: z.number().positive().max(MAXIMUM_CEILINGS.hours).default(BUDGET_MAXIMUMS.hours).describe("the most hours a mission's time budget may be set or raised to"),
      max_tokens: z.number().int().positive().max(MAXIMUM_CEILINGS.tokens).default(BUDGET_MAXIMUMS.tokens).describe("the most tokens a mission's token budget may be set or raised to"),
      /** at a budget alert, the next cheaper outcome level for the features left: proposed in the alert, or applied at once */
      downgrade: z
        .enum(["propose", "apply"])
        .default("propose")
        .describe("at a budget alert below 100%: `propose` the next cheaper outcome level for the features left (with its forecast), or `apply` it at once"),
    })
    .default({ alerts: [0.5, 0.8, 1], hard_stop: "finish", per_run: PER_RUN_DEFAULTS, max_usd: BUDGET_MAXIMUMS.usd, max_hours: BUDGET_MAXIMUMS.hours, max_tokens: BUDGET_MAXIMUMS.tokens, downgrade: "propose" })
    .describe("defaults for a new mission's budget, and limits per worker run"),
  /** what an Actions minute costs, by runner type; counted in the money budget */
  runner_prices: RunnerPrices.default({ runner: "linux", per_minute: DEFAULT_RUNNER_PRICES }).describe("what an Actions minute costs, by runner type; counted in the money budget"),
  max_parallel_workers: z.number().int().min(1).max(20).default(2).describe("worker runs of one mission at the same time"),
  worker: z
    .strictObject({
      workflow: z.string().default("mission-worker.yml").describe("workflow file dispatched for a feature"),
      command: z.string().optional().describe("the agent command the worker runs (default: Claude Code, headless)"),
      /** a file under .github/ whose text every worker prompt includes (the repository's standing instructions for workers) */
      prompt_file: z
        .string()
        .regex(/^\.github\/(?!(?:.*\/)?\.\.(?:\/|$)).+$/, "worker.prompt_file is a path under .github/, like .github/mission-worker.md")
        .optional()
        .describe("a file under .github/ whose text every worker prompt includes"),
      agents_folder: z
        .string()
        .regex(/^\.github\/(?!(?:.*\/)?\.\.(?:\/|$)).*[^/]$/, "worker.agents_folder is a folder under .github/, like .github/mission-agents")
        .default(DEFAULT_AGENTS_FOLDER)
        .describe("a folder under .github/ of promoted mission agents (`<name>.md`): every worker prompt of every mission includes them; `/mission promote` proposes new ones there"),
      max_attempts: z.number().int().min(1).max(10).default(3).describe("runs of a feature before it needs a human"),
      /** a run that has not changed for this long is cancelled and retried (above GitHub's 360-minute job limit) */
      stuck_after_minutes: z.number().int().min(5).default(390).describe("a run that has not changed for this long is cancelled and retried"),
      image: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/, "an image reference like node:24-bookworm or node@sha256:…")
        .default(DEFAULT_AGENT_IMAGE)
        .describe("the container image the agent runs in (pin it by digest, name@sha256:…, to be sure what runs)"),
      egress: z
        .array(HostPattern)
        .max(100)
        .default(DEFAULT_EGRESS)
        .describe("hosts the agent may reach over HTTPS besides the model API (`*.example.com`: its subdomains); replaces the default list when set, `[]` for none"),
    })
    .default(WORKER_DEFAULTS)
    .describe("the worker runs that implement features"),
  bot_logins: z
    .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\[bot\]$/, "a bot login like github-actions[bot] or my-mission-bot[bot]"))
    .min(1)
    .max(10)
    .default([ACTIONS_BOT_LOGIN])
    .describe(
      "the logins mission-bot writes as: github-actions[bot] on a workflow's GITHUB_TOKEN, <your App's slug>[bot] as your App; workers take feature issues only from these bots (and from people with write access)",
    ),
  /** where mission.md files are committed: a branch of their own, created on first use with no workflows on it, so state commits start no CI */
  state_branch: z
    .string()
    .regex(/^(?!\/|.*(?:\.\.|\/\/|@\{|\\|\.lock$|\/$))[A-Za-z0-9._/-]{1,200}$/, "state_branch is a branch name, like mission-bot/state")
    .default(DEFAULT_STATE_BRANCH)
    .describe("where mission.md files are committed: a branch of their own (created on first use, with no workflows on it, so state commits start no CI), or the default branch's name"),
  validation: ValidationConfig.default({ workflow: "mission-validate.yml", max_failures: 3, timeout_minutes: 30 }).describe(
    "how a milestone is validated",
  ),
  project: ProjectConfig.optional(),
  email: EmailConfig.optional(),
  resources: ResourcesConfig.optional().describe("where the mission's resources are looked for (README \"Resources\")"),
  home_only: HomeOnly,
  spending: SpendingConfig.default(SPENDING_CONFIG_DEFAULT).describe("how workers' requests to spend money or write email are approved (README \"Spending and email\")"),
});
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;

/** Label every mission issue carries; `mission:<id>` finds them in one list call. */
export const LABEL_MAX = 50;
export const LABELS = {
  mission: "mission",
  milestone: "mission:milestone",
  feature: "mission:feature",
  forMission: (id: string) => `mission:${id}`,
} as const;

const MISSION_LABEL = /^mission:(m-\d{8}-[a-z0-9-]+)$/;

/** The mission a `mission:<id>` label names (a label only says where to look: the file must agree). */
export function missionOfLabel(label: string): string | undefined {
  return MISSION_LABEL.exec(label)?.[1];
}

/** The tracking issue a mission id names: ids end with its number. */
export function trackingIssueOf(missionId: string): number | undefined {
  const n = Number(/-(\d+)$/.exec(missionId)?.[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Limits GitHub enforces that the plan and the views must respect. */
export const GITHUB_LIMITS = {
  subIssuesPerParent: 100,
  bodyChars: 65_536,
  dispatchInputs: 25,
} as const;

export function missionPath(id: string): string {
  return `todo/missions/${id}/mission.md`;
}

/** Parse with zod and turn the first problems into "field: reason" lines a user can act on. */
export function describeZodError(error: z.ZodError, limit = 10): string[] {
  return error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.length ? issue.path.join(".") : "(top level)";
    return `${path}: ${issue.message}`;
  });
}
