/**
 * Load: what GitHub and mission.md say now about one issue, as a Snapshot
 * for reconcile. Reads only; in as few requests as possible.
 *
 * Trust: state comes from mission.md on the state branch (only people with
 * write access can commit there) and from the bot's own text — issues and
 * comments whose author is the bot's login. A label only says where to
 * look (labels need just triage access): the file must name this issue as
 * its tracking issue. Reply and notice markers count only in the bot's
 * comments; reports only from the report logins, for runs the mission
 * recorded. A command's author is checked live for write access.
 */
import { addressesBot } from "../mission/conversation/commands.js";
import type { BotComment, CommandFact, IssueFact, MissionFact, NodeIdFacts, ObservedRun, Permission, PlannerAnswer, Snapshot, Where } from "../mission/decision.js";
import type { History } from "../mission/budget/forecast.js";
import { findMarkers, noticesIn, refusedIn, repliedTo } from "../mission/markers.js";
import { DEFAULT_STATE_BRANCH, LABELS, missionOfLabel, missionPath, type Config, type Mission } from "../mission/model.js";
import type { Outside } from "./spending/outside.js";
import { parseConfig, defaultConfig, CONFIG_PATH } from "../mission/config.js";
import { parseMissionFile } from "../mission/markdown/mission-file.js";
import { runs as missionRuns } from "../mission/advance.js";
import type { Octokit, RepoRef } from "./client.js";
import { listFolder, readFile, type RepoFile } from "./repo-files.js";
import { loadLoopFacts } from "./loop-facts.js";
import { readForLoad } from "./load-query.js";
import { enterpriseVersionOf, serverFeatures } from "./server.js";
import { readPermission } from "./permission.js";
import { readRepoFacts, wantedRepos } from "./target.js";

export interface LoadInput {
  octokit: Octokit;
  repo: RepoRef;
  issue: number;
  /** the bot's own login and the logins reports may come from */
  botLogin: string;
  reportLogins: readonly string[];
  /** https://github.com or the Enterprise Server's address */
  serverUrl: string;
  /** known from the event; read from the repository otherwise */
  defaultBranch?: string;
  /** `.github/mission.yml` as already read by this job or pulse (null: there is none); read otherwise */
  configFile?: RepoFile | null;
  now: string;
  /**
   * How the files are read after the issue. "graphql" (Actions runs): `.github/mission.yml`, the labelled
   * mission's mission.md and the completed missions' list in one GraphQL query (load-query.ts), as a run
   * starts cold and its GITHUB_TOKEN has 1,000 REST requests an hour. "rest" (default; the App): conditional
   * REST reads — its ETag store makes an unchanged read a 304, which costs nothing, while a GraphQL query
   * always costs a point.
   */
  reads?: "rest" | "graphql";
  /** finished features of the repository's missions (see history.ts); `completed`: the completed missions' ids, when read already */
  history: (config: Config, where: Where, completed?: readonly string[]) => Promise<History>;
  planned?: PlannerAnswer;
  /** card provider and email gateway for the mission's requests, per configuration (github/spending/) */
  outside?: (config: Config) => Outside | undefined;
  /** runs of the repository read moments ago (the Actions pulse's page of recent runs): not asked again */
  knownRuns?: ReadonlyMap<number, ObservedRun>;
}

export type Loaded =
  | { kind: "snapshot"; snapshot: Snapshot }
  /** `.github/mission.yml` does not validate: the decision is to say so, nothing more */
  | { kind: "config-invalid"; problems: string[]; sha: string | undefined; snapshot: Snapshot };


/** labelled missions whose files come in the one GraphQL query (a tracking issue has one; more are read by REST as before) */
const MAX_LABELLED = 5;

export async function loadSnapshot(input: LoadInput): Promise<Loaded> {
  const { octokit, repo } = input;
  const graphql = input.reads === "graphql";
  // Reads that do not depend on each other are sent together (Octokit has up to 10 requests in flight):
  // the repository (its default branch), `.github/mission.yml` (on the default branch: no ref), the issue.
  // Read by GraphQL, the config waits for the issue, to come in one query with the mission's file (whose id the
  // issue's label gives): as many round trips as before ([config ∥ issue] → mission.md; issue → query).
  const [repository, restConfig, { issue, enterpriseVersion, labelIds }] = await Promise.all([
    input.defaultBranch ? undefined : octokit.rest.repos.get({ ...repo }).then((r) => r.data),
    input.configFile !== undefined ? input.configFile : graphql ? undefined : readFile(octokit, repo, CONFIG_PATH).then((f) => f ?? null),
    readIssue(octokit, repo, input.issue, input.botLogin),
  ]);
  const defaultBranch = input.defaultBranch ?? repository!.default_branch;
  const missionLabels = issue.labels.map(missionOfLabel).filter((x): x is string => !!x);
  // the state branch is named in the config: a config at hand says it; one read in the same query, the default is guessed
  const knownConfig = input.configFile !== undefined ? parseConfig(input.configFile?.text ?? null) : undefined;
  const guessedBranch = knownConfig?.ok ? knownConfig.config.state_branch : DEFAULT_STATE_BRANCH;
  const read = graphql
    ? await readForLoad(octokit, repo, {
        ...(input.configFile === undefined ? { config: CONFIG_PATH } : {}),
        files: missionLabels.slice(0, MAX_LABELLED).map((id) => ({ path: missionPath(id), ref: guessedBranch })),
      })
    : undefined;
  const configFile = restConfig !== undefined ? restConfig : (read?.config ?? null);
  const parsedConfig = knownConfig ?? parseConfig(configFile?.text ?? null);
  // An invalid file is reported; the rest of the snapshot is read with the defaults, to answer commands.
  const config = parsedConfig.ok ? parsedConfig.config : defaultConfig();
  const where: Where = {
    repo: `${repo.owner}/${repo.repo}`,
    defaultBranch,
    stateBranch: config.state_branch,
    botLogin: input.botLogin,
    reportLogins: input.reportLogins,
    serverUrl: input.serverUrl,
    ...serverFeatures(enterpriseVersion),
  };
  // the mission files read in the query, if on the branch the config names (else findMission reads them by REST there)
  const preread = new Map<string, RepoFile | null>();
  if (read && guessedBranch === where.stateBranch) missionLabels.slice(0, MAX_LABELLED).forEach((id, i) => preread.set(id, read.files[i]!));

  const mission = await findMission(octokit, repo, issue, where, preread);
  const since = mission.kind === "found" ? mission.mission.seen_until : undefined;

  // Who may direct the bot: asked live, once per author.
  const permissions = new Map<string, Promise<Permission>>();
  const permissionOf = (login: string) => {
    const key = login.toLowerCase();
    if (!permissions.has(key)) permissions.set(key, readPermission(octokit, repo, login));
    return permissions.get(key)!;
  };
  const runs = mission.kind === "found" && missionRuns(mission.mission);
  // the node ids the plan's GraphQL creates need, while it has issues to make (create-issue.ts)
  const making = mission.kind === "found" && runs && where.subIssues !== false && hasIssuesToMake(mission.mission);
  // a mission may start here (its first job makes the plan's kind labels): which labels exist, so none is asked twice
  const labelled = making || mission.kind === "none";
  // the mission's comments, its running facts and the repository's labels: independent, sent together
  const [comments, loop, repoLabels, made] = await Promise.all([
    octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issue.number, per_page: 100, ...(since ? { since } : {}) }),
    mission.kind === "found" && runs ? loadLoopFacts({ octokit, repo, where, config, mission: mission.mission, now: input.now, permissionOf, outside: input.outside?.(config), knownRuns: input.knownRuns }) : undefined,
    labelled ? readLabelIds(octokit, repo) : undefined,
    making && !repository ? octokit.rest.repos.get({ ...repo }).then((r) => r.data) : repository,
  ]);
  const nodeIds: NodeIdFacts | undefined = repoLabels
    ? { ...(making && made ? { repository: made.node_id } : {}), labels: { ...repoLabels, ...labelIds } }
    : undefined;

  const botComments: BotComment[] = [];
  const answered = new Map<number, "reply" | "refusal">();
  for (const c of comments) {
    if (c.user?.login !== input.botLogin || c.user.type !== "Bot") continue;
    const body = c.body ?? "";
    const b: BotComment = { id: c.id, created_at: c.created_at, body, repliedTo: repliedTo(body), notices: noticesIn(body), refused: refusedIn(body) };
    botComments.push(b);
    for (const id of b.repliedTo) answered.set(id, b.refused.length ? "refusal" : "reply");
  }
  const addressed = comments
    .filter((c) => c.user && c.user.type !== "Bot" && addressesBot(c.body ?? ""))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);

  const commands: CommandFact[] = [];
  const logged = new Set(mission.kind === "found" ? mission.mission.decisions.flatMap((d) => (d.comment ? [d.comment] : [])) : []);
  for (const c of addressed) {
    const answer = answered.get(c.id);
    // answered and recorded, or refused: nothing left to do
    if ((answer && logged.has(c.id)) || answer === "refusal") continue;
    commands.push({
      id: c.id,
      url: c.html_url,
      body: c.body ?? "",
      created_at: c.created_at,
      author: { login: c.user!.login, type: c.user!.type },
      permission: await permissionOf(c.user!.login),
      ...(answer ? { answered: answer } : {}),
    });
  }

  // A mission form whose mission does not exist yet: its opener must have write access (the form's text is theirs).
  // An issue whose `/mission` command the bot already answered is that command's (its mission's state may not be
  // saved yet: a branch rule refused it, and the bot labelled the issue so the pulse comes back to it).
  const formAnswered = botComments.some((b) => b.notices.includes(`form:${issue.id}`));
  const formRefused = botComments.some((b) => b.notices.includes(`form:${issue.id}`) && b.refused.length > 0);
  const commandAnswered = !formAnswered && commands.some((c) => c.answered === "reply");
  const form =
    mission.kind === "none" && !commandAnswered && !issue.isPullRequest && !issue.ownMarker && issue.labels.includes(LABELS.mission) && !formRefused && issue.author && issue.author.type !== "Bot"
      ? { requester: issue.author.login, permission: await permissionOf(issue.author.login), ...(formAnswered ? { answered: true } : {}) }
      : undefined;

  // where the mission builds, and the repositories `/mission attach` names: what the App reaches, who may write there
  const repos = await readRepoFacts(octokit, wantedRepos(mission.kind === "found" ? mission.mission : undefined, commands, repo));
  const history = await input.history(config, where, read?.completed);

  const snapshot: Snapshot = {
    where,
    config,
    now: input.now,
    issue,
    mission,
    commands,
    botComments,
    ...(comments.length ? { commentsUntil: comments.map((c) => c.created_at).sort().at(-1)! } : {}),
    ...(form ? { form } : {}),
    history,
    ...(input.planned ? { planned: input.planned } : {}),
    ...(loop ? { loop } : {}),
    ...(repos.length ? { repos } : {}),
    ...(nodeIds ? { nodeIds } : {}),
  };
  if (!parsedConfig.ok) return { kind: "config-invalid", problems: parsedConfig.problems, sha: configFile?.sha, snapshot };
  return { kind: "snapshot", snapshot };
}

/** The issue, and the release an Enterprise Server names in its answer (absent on github.com). */
async function readIssue(
  octokit: Octokit,
  repo: RepoRef,
  number: number,
  botLogin: string,
): Promise<{ issue: IssueFact; enterpriseVersion: string | undefined; labelIds: Record<string, string> }> {
  const { data, headers } = await octokit.rest.issues.get({ ...repo, issue_number: number });
  const labelIds = Object.fromEntries(data.labels.flatMap((l) => (typeof l === "object" && l.name && l.node_id ? [[l.name, l.node_id]] : [])));
  return { issue: issueFact(data, botLogin), enterpriseVersion: enterpriseVersionOf(headers as Record<string, unknown>), labelIds };
}

/** Some milestone or feature of the plan has no issue recorded yet. */
function hasIssuesToMake(m: Mission): boolean {
  return !!m.plan?.milestones.some((ms) => !ms.issue || ms.features.some((f) => !f.issue));
}

/**
 * The repository's labels, one page: their node ids, and which exist (ensure-labels then asks nothing for
 * those). A repository with more labels than a page: for those past it, ensure-labels asks (422 if it exists) and the node-id query reads their ids.
 */
async function readLabelIds(octokit: Octokit, repo: RepoRef): Promise<Record<string, string>> {
  const { data } = await octokit.rest.issues.listLabelsForRepo({ ...repo, per_page: 100 });
  return Object.fromEntries(data.map((l) => [l.name, l.node_id]));
}

function issueFact(data: Awaited<ReturnType<Octokit["rest"]["issues"]["get"]>>["data"], botLogin: string): IssueFact {
  const author = data.user ? { login: data.user.login, type: data.user.type } : null;
  const own = author?.login === botLogin && author.type === "Bot";
  const markers = own ? findMarkers(data.body) : [];
  const item = markers.find((m) => m.kind === "milestone" || m.kind === "feature");
  const tracking = markers.find((m) => m.kind === "tracking");
  return {
    number: data.number,
    id: data.id,
    title: data.title,
    body: data.body ?? "",
    state: data.state === "closed" ? "closed" : "open",
    labels: data.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
    isPullRequest: Boolean(data.pull_request),
    author,
    created_at: data.created_at,
    nodeId: data.node_id,
    ...(item ? { ownMarker: item, ...(tracking ? { partOf: Number(tracking.key) } : {}) } : {}),
  };
}

/**
 * The mission this issue tracks: the label names it; the file must agree.
 * Without a (true) label, the state branch's missions folder is listed for
 * an id ending in this issue's number — ids end with their tracking issue —
 * so removing the label loses nothing.
 */
export async function findMission(octokit: Octokit, repo: RepoRef, issue: IssueFact, where: Where, preread?: ReadonlyMap<string, RepoFile | null>): Promise<MissionFact> {
  const labelled = issue.labels.map(missionOfLabel).filter((x): x is string => !!x);
  for (const id of labelled) {
    const found = await readMission(octokit, repo, id, issue.number, where.stateBranch, preread?.get(id));
    if (found) return found;
  }
  const entries = await listFolder(octokit, repo, "todo/missions", where.stateBranch);
  const suffix = `-${issue.number}`;
  for (const e of entries.filter((x) => x.type === "dir" && x.name.startsWith("m-") && x.name.endsWith(suffix) && !labelled.includes(x.name))) {
    const found = await readMission(octokit, repo, e.name, issue.number, where.stateBranch);
    if (found) return found;
  }
  return { kind: "none" };
}

/**
 * The file of mission `id`, if it names `issue` as its tracking issue; a file that does not validate is reported as such.
 * `preread`: the file as already read on `branch` (null: none there); undefined: read it here.
 */
async function readMission(octokit: Octokit, repo: RepoRef, id: string, issue: number, branch: string, preread?: RepoFile | null): Promise<MissionFact | undefined> {
  const path = missionPath(id);
  const file = preread !== undefined ? preread : await readFile(octokit, repo, path, branch);
  if (!file) return undefined;
  const parsed = parseMissionFile(file.text);
  if (!parsed.ok) {
    // Only a file that claims this issue can stop it (a label alone proves nothing).
    if (!new RegExp(`^tracking_issue:\\s*${issue}\\s*$`, "m").test(file.text)) return undefined;
    return { kind: "invalid", id, path, problems: parsed.problems, sha: file.sha };
  }
  if (parsed.mission.id !== id || parsed.mission.tracking_issue !== issue) return undefined;
  return { kind: "found", mission: parsed.mission, sha: file.sha };
}

