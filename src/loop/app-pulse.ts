/**
 * The App's own pulse: every few minutes, every open mission of every
 * installation is enqueued, and so is every issue with a recent `/mission`
 * comment (GitHub does not redeliver a lost webhook). Two searches per
 * installation, whatever the number of repositories; the queue's lease means
 * the pulse never works on a mission while a webhook's job does, and each
 * job reads the mission itself, so a mission with nothing to do costs its
 * reads and no write.
 */
import type { Probot } from "probot";
import type { MissionQueue, ReconcileJob } from "./queue.js";
import { LABELS } from "../mission/model.js";
import { COMPLETED } from "../mission/advance.js";
import type { Octokit } from "../github/client.js";

export interface PulseOptions {
  clock?: () => number;
  /** prepares each installation's client (the app adds its timeout, clock and rate-limit guard) */
  prepare?: (octokit: Octokit, installationId: number) => Octokit;
  /** how far back a `/mission` comment may be and still be looked at (default 2 hours) */
  commandWindowMs?: number;
}

export async function pulseInstallations(probot: Probot, queue: MissionQueue, options: PulseOptions = {}): Promise<number> {
  const app = (await probot.auth()) as Octokit;
  const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
  let enqueued = 0;
  for (const installation of installations) {
    const account = installation.account && "login" in installation.account ? installation.account : undefined;
    if (!account || installation.suspended_at) continue;
    const raw = (await probot.auth(installation.id)) as Octokit;
    const octokit = options.prepare ? options.prepare(raw, installation.id) : raw;
    const jobs = await openMissions(octokit, account.login, account.type === "Organization", options);
    for (const job of jobs) {
      await queue.enqueue({ ...job, installationId: installation.id });
      enqueued++;
    }
  }
  return enqueued;
}

/**
 * Every page of a search (at most the 1,000 results GitHub's search gives).
 * Paged by hand: the answer carries `search_type` beside `items`, which
 * Octokit's paginate cannot tell from the list it pages through.
 */
async function searchIssues(octokit: Octokit, q: string) {
  const items = [];
  for (let page = 1; page <= 10; page++) {
    const { data } = await octokit.rest.search.issuesAndPullRequests({ q, per_page: 100, page });
    items.push(...data.items);
    if (data.items.length < 100) break;
  }
  return items;
}

/** Open tracking issues, and issues with a recent `/mission` comment, of one account's repositories. */
export async function openMissions(octokit: Octokit, owner: string, organization: boolean, options: PulseOptions = {}): Promise<ReconcileJob[]> {
  const scope = `${organization ? "org" : "user"}:${owner}`;
  const since = new Date((options.clock ?? Date.now)() - (options.commandWindowMs ?? 2 * 3_600_000)).toISOString();
  // A completed mission has nothing left to do but answer commands: the second query (and their webhooks) finds
  // those, and any tracking issue changed within the window (its first comment is the `/mission` that started it).
  const queries = [`is:issue is:open label:${LABELS.mission} -label:"${COMPLETED}" ${scope}`, `is:issue "/mission" in:comments updated:>=${since} ${scope}`];
  const seen = new Map<string, ReconcileJob>();
  for (const q of queries) {
    for (const item of await searchIssues(octokit, q)) {
      const match = /\/repos\/([^/]+)\/([^/]+)$/.exec(item.repository_url);
      if (!match || item.pull_request) continue;
      const job: ReconcileJob = { owner: match[1]!, repo: match[2]!, issue: item.number, reason: "pulse" };
      seen.set(`${job.owner}/${job.repo}#${job.issue}`.toLowerCase(), job);
    }
  }
  return [...seen.values()];
}
