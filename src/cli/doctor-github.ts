/**
 * What `mission-bot doctor` can only learn from GitHub, with a token: the
 * Action the workflows call resolves (its tag, branch or SHA exists and holds
 * an action.yml), the secrets the workflows use are set, and GitHub Actions
 * may open pull requests (Full mode without the App's key). Each failure says
 * which request GitHub answered how, and the fix.
 */
import type { Octokit } from "../github/client.js";

export type Level = "ok" | "FIX" | "note";
export interface Finding {
  level: Level;
  path: string;
  text?: string;
}

export interface GitHubChecks {
  octokit: Octokit;
  /** the repository mission-bot works on */
  repo: { owner: string; repo: string };
  /** the Action references the workflows call */
  actions: string[];
  /** the secrets the workflows read */
  secrets: { name: string; optional: boolean; what: string }[];
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error && "status" in error && typeof error.status === "number" ? error.status : undefined;
}

/** "owner/repo@ref" or "owner/repo/path@ref" → where its action.yml is. */
function parseAction(ref: string): { owner: string; repo: string; path: string; ref: string } | null {
  const m = /^([^/@]+)\/([^/@]+)((?:\/[^@]+)?)@(.+)$/.exec(ref);
  return m ? { owner: m[1]!, repo: m[2]!, path: m[3]!.replace(/^\//, ""), ref: m[4]! } : null;
}

export async function checkGitHub(checks: GitHubChecks): Promise<Finding[]> {
  return [...(await checkActions(checks)), ...(await checkSecrets(checks))];
}

async function checkActions({ octokit, actions }: GitHubChecks): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const action of [...new Set(actions)]) {
    const at = parseAction(action);
    if (!at) continue;
    const where = `repos/${at.owner}/${at.repo}/commits/${at.ref}`;
    try {
      await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { owner: at.owner, repo: at.repo, ref: at.ref });
    } catch (error) {
      const status = statusOf(error);
      if (status !== 404 && status !== 422) throw error;
      out.push({
        level: "FIX",
        path: action,
        text: `GitHub answered ${status} for ${where}: the Action's ${at.ref} does not exist there. Push the tag (README → Releasing), or name a tag, branch or SHA that exists: \`mission-bot init --upgrade --action ${at.owner}/${at.repo}@<ref>\``,
      });
      continue;
    }
    const file = `${at.path ? `${at.path}/` : ""}action.yml`;
    try {
      await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: at.owner, repo: at.repo, path: file, ref: at.ref });
      out.push({ level: "ok", path: action, text: "resolves, with an action.yml" });
    } catch (error) {
      const status = statusOf(error);
      if (status !== 404) throw error;
      out.push({
        level: "FIX",
        path: action,
        text: `GitHub answered 404 for repos/${at.owner}/${at.repo}/contents/${file} at ${at.ref}: that commit has no action.yml, so it is not mission-bot's Action`,
      });
    }
  }
  return out;
}

async function checkSecrets({ octokit, repo, secrets }: GitHubChecks): Promise<Finding[]> {
  const out: Finding[] = [];
  let names: Set<string>;
  try {
    const own = await octokit.paginate("GET /repos/{owner}/{repo}/actions/secrets", { ...repo, per_page: 100 });
    names = new Set((own as { name: string }[]).map((s) => s.name));
  } catch (error) {
    const status = statusOf(error);
    if (status !== 403 && status !== 404) throw error;
    return [
      {
        level: "note",
        path: "secrets",
        text: `GitHub answered ${status} for repos/${repo.owner}/${repo.repo}/actions/secrets (listing secret names needs a token of an admin of the repository, or an App with "secrets: read"): check by hand that ${secrets.filter((s) => !s.optional).map((s) => s.name).join(", ")} ${secrets.filter((s) => !s.optional).length === 1 ? "is" : "are"} set (Settings → Secrets and variables → Actions)`,
      },
    ];
  }
  try {
    // organisation secrets shared with this repository count as well
    const shared = await octokit.paginate("GET /repos/{owner}/{repo}/actions/organization-secrets", { ...repo, per_page: 100 });
    for (const s of shared as { name: string }[]) names.add(s.name);
  } catch (error) {
    if (![403, 404].includes(statusOf(error) ?? 0)) throw error;
  }
  for (const s of secrets) {
    if (names.has(s.name)) out.push({ level: "ok", path: `secret ${s.name}` });
    else if (s.optional) out.push({ level: "note", path: `secret ${s.name}`, text: `not set (optional: ${s.what})` });
    else out.push({ level: "FIX", path: `secret ${s.name}`, text: `not set: ${s.what}. Add it under Settings → Secrets and variables → Actions` });
  }
  // Full mode opens a pull request per feature: with the App's key the App's token does it, else GITHUB_TOKEN must be allowed to.
  if (!names.has("MISSION_BOT_PRIVATE_KEY")) {
    try {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/actions/permissions/workflow", repo);
      if (!data.can_approve_pull_request_reviews) {
        out.push({
          level: "FIX",
          path: "Actions settings",
          text: "GitHub Actions may not create pull requests in this repository, and there is no App key: Full-mode missions cannot open their pull requests. Settings → Actions → General → Workflow permissions → Allow GitHub Actions to create and approve pull requests (or add the App's key as MISSION_BOT_PRIVATE_KEY)",
        });
      } else out.push({ level: "ok", path: "Actions settings", text: "GitHub Actions may create pull requests (Full mode)" });
    } catch (error) {
      if (![403, 404].includes(statusOf(error) ?? 0)) throw error;
      out.push({ level: "note", path: "Actions settings", text: "could not read whether GitHub Actions may create pull requests (needs an admin's token): Full mode needs it, or the App's key" });
    }
  }
  return out;
}

/** owner/repo from a git remote URL of github.com or a GitHub Enterprise host. */
export function repositoryOfRemote(url: string): { owner: string; repo: string } | null {
  const m = /^(?:https?:\/\/(?:[^@/]+@)?[^/]+\/|git@[^:]+:|ssh:\/\/git@[^/]+\/)([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(url.trim());
  return m ? { owner: m[1]!, repo: m[2]! } : null;
}

export interface AppChecks {
  /** an Octokit authenticated as the App (its JWT) */
  octokit: Octokit;
  repo: { owner: string; repo: string };
  /** what app.yml asks for: the permissions and events mission-bot needs */
  needs: { permissions: { name: string; access: string }[]; events: { name: string }[] };
}

const ACCESS_LEVEL: Record<string, number> = { read: 1, write: 2, admin: 3 };

/**
 * The registered App against app.yml (GET /app), and its installation on the
 * repository (GET /repos/{owner}/{repo}/installation): installed, and with
 * every permission accepted. A new permission on the App reaches an
 * installation only once its owner accepts it (docs.github.com, "Modifying a
 * GitHub App registration": "the owner of the installation must approve the
 * new permissions").
 */
export async function checkApp({ octokit, repo, needs }: AppChecks): Promise<Finding[]> {
  const out: Finding[] = [];
  const { data: app } = await octokit.request("GET /app");
  if (!app) return [{ level: "FIX", path: "the App", text: "GitHub did not describe the App (GET /app)" }];
  const granted = (app.permissions ?? {}) as Record<string, string | undefined>;
  const where = `Settings → Developer settings → GitHub Apps → ${app.slug ?? app.name} → Permissions & events`;
  for (const p of needs.permissions) {
    const has = granted[p.name];
    if ((ACCESS_LEVEL[has ?? ""] ?? 0) < (ACCESS_LEVEL[p.access] ?? 0)) {
      out.push({ level: "FIX", path: `the App ${app.slug ?? app.name}`, text: `has ${p.name}: ${has ?? "none"}, mission-bot needs ${p.name}: ${p.access} (${where})` });
    }
  }
  const events = new Set(app.events ?? []);
  for (const e of needs.events) {
    if (!events.has(e.name)) out.push({ level: "FIX", path: `the App ${app.slug ?? app.name}`, text: `is not subscribed to ${e.name} events, which mission-bot needs (${where})` });
  }
  try {
    const { data: installation } = await octokit.request("GET /repos/{owner}/{repo}/installation", repo);
    const accepted = (installation.permissions ?? {}) as Record<string, string | undefined>;
    const pending = needs.permissions.filter((p) => (ACCESS_LEVEL[accepted[p.name] ?? ""] ?? 0) < (ACCESS_LEVEL[p.access] ?? 0) && (ACCESS_LEVEL[granted[p.name] ?? ""] ?? 0) >= (ACCESS_LEVEL[p.access] ?? 0));
    if (pending.length) {
      out.push({
        level: "FIX",
        path: `the App's installation on ${repo.owner}/${repo.repo}`,
        text: `has not accepted ${pending.map((p) => `${p.name}: ${p.access}`).join(", ")}: the installation's owner must approve the new permissions (${installation.html_url ?? "Settings → GitHub Apps → Configure"})`,
      });
    }
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    out.push({
      level: "FIX",
      path: `${repo.owner}/${repo.repo}`,
      text: `GitHub answered 404 for repos/${repo.owner}/${repo.repo}/installation: the App ${app.slug ?? app.name} is not installed on it. Install it: ${app.html_url}/installations/new`,
    });
  }
  if (!out.length) out.push({ level: "ok", path: `the App ${app.slug ?? app.name}`, text: `installed on ${repo.owner}/${repo.repo}, with app.yml's permissions and events` });
  return out;
}
