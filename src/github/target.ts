/**
 * Reads and writes for a mission that builds in another repository than it
 * lives in (README "Missions without a repository"): what the bot's token
 * reaches (GET /installation/repositories, REST "List repositories
 * accessible to the app installation"), each named repository as the bot
 * sees it, people's roles there (checked live, as for every command), and
 * creating a repository for `/mission attach --create`.
 */
import { parseCommand } from "../mission/conversation/commands.js";
import type { CommandFact } from "../mission/decision.js";
import type { Mission } from "../mission/model.js";
import type { RepoFact } from "../mission/target/attach.js";
import { buildsElsewhere, sameRepo } from "../mission/target/target.js";
import { isStatus, messageOf, NO_RETRY, type Octokit, type RepoRef } from "./client.js";
import { readPermission } from "./permission.js";

export function refOf(fullName: string): RepoRef {
  const [owner, repo] = fullName.split("/") as [string, string];
  return { owner, repo };
}

/** The repository the mission's code, runs and pull requests are in. */
export function buildRef(m: Pick<Mission, "repo" | "target"> | undefined, home: RepoRef): RepoRef {
  return m && buildsElsewhere(m) ? refOf(m.target!) : home;
}

interface Wanted {
  repo: string;
  logins: Set<string>;
}

/** The repositories this snapshot must know about: the mission's target, and those unanswered `/mission attach` commands name. */
export function wantedRepos(mission: Mission | undefined, commands: readonly CommandFact[], home: RepoRef): Wanted[] {
  const wanted: Wanted[] = [];
  const want = (repo: string, login?: string) => {
    if (sameRepo(repo, `${home.owner}/${home.repo}`)) return;
    let w = wanted.find((x) => sameRepo(x.repo, repo));
    if (!w) wanted.push((w = { repo, logins: new Set() }));
    if (login) w.logins.add(login.toLowerCase());
  };
  if (mission?.target) want(mission.target);
  for (const c of commands) {
    if (c.answered) continue;
    const parsed = parseCommand(c.body);
    if (parsed.ok !== true || parsed.command.name !== "attach") continue;
    want(parsed.command.repo, parsed.command.create ? undefined : c.author.login);
    if (parsed.command.create && parsed.command.template) want(parsed.command.template);
  }
  return wanted;
}

/** What the bot's token reaches: full names (lower-cased), or "unknown" for a token that is not an installation's. */
async function reachable(octokit: Octokit): Promise<Set<string> | "unknown"> {
  try {
    const repos = await octokit.paginate("GET /installation/repositories", { per_page: 100 });
    return new Set(repos.map((r) => r.full_name.toLowerCase()));
  } catch (error) {
    // 403: "This endpoint can only be accessed with an installation access token" (a workflow's GITHUB_TOKEN)
    if (isStatus(error, 403)) return "unknown";
    throw error;
  }
}

export async function readRepoFacts(octokit: Octokit, wanted: readonly Wanted[]): Promise<RepoFact[]> {
  if (!wanted.length) return [];
  const covered = await reachable(octokit);
  const facts: RepoFact[] = [];
  for (const w of wanted) {
    const ref = refOf(w.repo);
    let visible = false;
    let defaultBranch: string | undefined;
    try {
      const { data } = await octokit.rest.repos.get({ ...ref });
      visible = true;
      defaultBranch = data.default_branch;
    } catch (error) {
      if (!isStatus(error, 404, 403)) throw error;
    }
    const permissions: Record<string, Awaited<ReturnType<typeof readPermission>>> = {};
    if (visible) for (const login of w.logins) permissions[login] = await readPermission(octokit, ref, login);
    facts.push({
      repo: w.repo,
      visible,
      covered: covered === "unknown" ? "unknown" : covered.has(w.repo.toLowerCase()),
      ...(defaultBranch ? { defaultBranch } : {}),
      permissions,
    });
  }
  return facts;
}

export type Created = { ok: true; repo: string; covered: boolean | "unknown" } | { ok: false; status?: number; message: string };

/**
 * Make the repository: from the template when given (REST "Create a repository using a template"),
 * otherwise in the organisation (REST "Create an organization repository"; an App installation needs
 * `administration: write`), or, failing that, for a user account (REST "Create a repository for the
 * authenticated user", which installation tokens cannot: GitHub answers 403). Then ask whether the
 * installation covers it: one installed on all repositories does, one on selected repositories does not.
 */
export async function createRepository(octokit: Octokit, repo: string, template: string | undefined): Promise<Created> {
  const { owner, repo: name } = refOf(repo);
  try {
    if (template) {
      const t = refOf(template);
      await octokit.request("POST /repos/{template_owner}/{template_repo}/generate", { template_owner: t.owner, template_repo: t.repo, owner, name, private: true, ...NO_RETRY });
    } else {
      try {
        await octokit.request("POST /orgs/{org}/repos", { org: owner, name, private: true, auto_init: true, ...NO_RETRY });
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
        // not an organisation: a user account's repository (an App installation is refused)
        await octokit.request("POST /user/repos", { name, private: true, auto_init: true, ...NO_RETRY });
      }
    }
  } catch (error) {
    const status = (error as { status?: number }).status;
    return { ok: false, ...(status ? { status } : {}), message: (messageOf(error).split("\n")[0] ?? "").slice(0, 300) };
  }
  const covered = await reachable(octokit);
  return { ok: true, repo, covered: covered === "unknown" ? "unknown" : covered.has(repo.toLowerCase()) };
}
