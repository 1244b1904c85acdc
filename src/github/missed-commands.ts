/**
 * Commands whose webhook never arrived: GitHub does not redeliver on its own.
 * The pulse reads the repository's recent comments (one request) and answers
 * every `/mission` command that has no answer yet, through the same handler a
 * webhook would have reached. Commands younger than a few minutes are left to
 * their webhook, so the two never race.
 */
import { parseCommand } from "../mission/commands.js";
import type { Octokit, RepoRef } from "./client.js";
import { handleCommandComment, type CommandDeps, type CommandOutcome } from "./commands.js";

export interface MissedCommandsOptions {
  /** ms since epoch */
  now: number;
  /** how far back to look (a pulse runs every 15 minutes; default 2 hours) */
  windowMs?: number;
  /** a command younger than this belongs to its webhook (default 10 minutes) */
  graceMs?: number;
}

export async function answerMissedCommands(deps: CommandDeps, options: MissedCommandsOptions): Promise<CommandOutcome[]> {
  const { octokit, repo } = deps;
  const since = new Date(options.now - (options.windowMs ?? 2 * 3_600_000)).toISOString();
  const settled = options.now - (options.graceMs ?? 10 * 60_000);
  const comments = await recentComments(octokit, repo, since);
  const outcomes: CommandOutcome[] = [];
  for (const c of comments) {
    if (Date.parse(c.created_at) > settled) continue;
    if (c.user?.type === "Bot" || parseCommand(c.body ?? "").ok === "none") continue;
    const number = Number(/\/issues\/(\d+)$/.exec(c.issue_url)?.[1]);
    if (!number) continue;
    outcomes.push(
      await handleCommandComment(deps, {
        id: c.id,
        body: c.body ?? "",
        created_at: c.created_at,
        author: c.user?.login ?? "",
        authorIsBot: false,
        issue: { number, title: "", isPullRequest: c.html_url.includes("/pull/") },
      }),
    );
  }
  return outcomes;
}

/** The repository's comments since `since`, oldest first (at most 300: a pulse is not a backfill). */
async function recentComments(octokit: Octokit, repo: RepoRef, since: string) {
  const comments = [];
  for (let page = 1; page <= 3; page++) {
    const { data } = await octokit.rest.issues.listCommentsForRepo({ ...repo, since, sort: "created", direction: "asc", per_page: 100, page });
    comments.push(...data);
    if (data.length < 100) break;
  }
  return comments;
}
