/**
 * The twin's in-memory model of GitHub: plain records, no behaviour.
 * GitHubTwin (state.ts) owns and mutates them; serialize.ts turns them into
 * the JSON GitHub sends.
 */

export type Role = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export const ROLE_ORDER: readonly Role[] = ["none", "read", "triage", "write", "maintain", "admin"];
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(needed);
}

export type UserType = "User" | "Bot" | "Organization";

export interface TwinUser {
  login: string;
  id: number;
  type: UserType;
  name?: string | null;
  email?: string | null;
}

export interface LabelState {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface IssueState {
  id: number;
  node_id: string;
  number: number;
  repo: RepoState;
  title: string;
  body: string | null;
  state: "open" | "closed";
  state_reason: "completed" | "not_planned" | "duplicate" | "reopened" | null;
  /** label keys (lower-cased names) in the order they were added */
  labels: string[];
  user: TwinUser;
  assignees: TwinUser[];
  locked: boolean;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  closed_by: TwinUser | null;
  comments: number;
  /** the GitHub App whose token created it (an installation token: the app; GITHUB_TOKEN: GitHub Actions), else null */
  performed_via: AppState | null;
  /** an issue-numbered pull request (only its issue face is modelled, plus its branches when opened through the pulls API) */
  pull_request: boolean;
  /** a pull request opened through the pulls API: its head and base branches and their commits then */
  pull?: { head: string; head_sha: string; base: string; base_sha: string };
  /** parent issue id */
  parent: number | null;
  /** sub-issue ids in priority order */
  sub_issues: number[];
  /** ids of the issues that block this one */
  blocked_by: number[];
}

export interface CommentState {
  id: number;
  node_id: string;
  issueId: number;
  repo: RepoState;
  body: string;
  user: TwinUser;
  created_at: string;
  updated_at: string;
  /** the GitHub App whose token created it, else null */
  performed_via: AppState | null;
  reactions: ReactionState[];
}

export interface ReactionState {
  id: number;
  node_id: string;
  user: TwinUser;
  content: string;
  created_at: string;
}

export interface BlobState {
  sha: string;
  bytes: Buffer;
}

export interface CommitState {
  sha: string;
  tree: string;
  message: string;
  parents: string[];
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
  /** full snapshot of the files at this commit: path → blob */
  files: Map<string, BlobState>;
}

export interface RepoState {
  id: number;
  node_id: string;
  owner: TwinUser;
  name: string;
  full_name: string;
  private: boolean;
  description: string | null;
  default_branch: string;
  created_at: string;
  updated_at: string;
  pushed_at: string;
  /** lower-cased login → role */
  collaborators: Map<string, Role>;
  issues: Map<number, IssueState>;
  /** last number handed out to an issue or pull request */
  lastNumber: number;
  /** lower-cased name → label */
  labels: Map<string, LabelState>;
  /** branch name → head commit sha */
  branches: Map<string, string>;
  commits: Map<string, CommitState>;
  installationId: number | undefined;
  /** marked as a template (REST "Create a repository using a template" generates from it) */
  isTemplate?: boolean;
  /** classic branch protection rules and repository rulesets (seeded with twin.protectBranch / twin.addRuleset) */
  rules: BranchRule[];
}

/**
 * A rule on branches: classic branch protection ("protection") or a
 * repository ruleset ("ruleset"). Only what changes a direct write is
 * modelled: a pull request is required, status checks are required.
 */
export interface BranchRule {
  kind: "protection" | "ruleset";
  /** ruleset name (rulesets) */
  name: string;
  /** branch name pattern (fnmatch: `*` within a segment, `**` across); `~DEFAULT_BRANCH` and `~ALL` as rulesets have them */
  pattern: string;
  requirePullRequest: boolean;
  /** status check contexts that must have passed on the commit (a direct write creates a commit that has none) */
  requiredStatusChecks: string[];
  /** logins that may bypass (ruleset bypass actors; for classic protection, who may push past it) */
  bypass: string[];
  /** classic protection: rules apply to administrators too ("Do not allow bypassing the above settings"); rulesets always do */
  enforceAdmins: boolean;
}

export interface InstallationState {
  id: number;
  account: TwinUser;
  /** full names (lower-cased) of the repositories it covers; "all" for every repo of the account */
  repositories: Set<string> | "all";
  permissions: Record<string, "read" | "write" | "admin">;
  events: string[];
  created_at: string;
}

export interface AppState {
  id: number;
  slug: string;
  name: string;
  client_id: string;
  owner: TwinUser;
  /** the bot user that acts for the app's installations */
  bot: TwinUser;
  permissions: Record<string, "read" | "write" | "admin">;
  events: string[];
  created_at: string;
}

export type Actor =
  | { kind: "installation"; installationId: number; user: TwinUser; token: string }
  /** a workflow run's GITHUB_TOKEN: acts as github-actions[bot] on its own repository only */
  | { kind: "actions"; repo: RepoState; user: TwinUser; token: string }
  | { kind: "user"; user: TwinUser; token?: string }
  | { kind: "app" }
  | { kind: "anonymous" };

export interface TokenState {
  token: string;
  kind: "installation" | "user" | "actions";
  installationId?: number;
  /** GITHUB_TOKEN: the repository it was minted for */
  repoId?: number;
  /** GITHUB_TOKEN: the run it belongs to, if any */
  runId?: number;
  login?: string;
  /** a GitHub App's user access token (the web flow, oauth.ts): reaches only repositories the app is installed on */
  viaApp?: boolean;
  expiresAt: number;
  permissions?: Record<string, string>;
  /** installation tokens narrowed to some repositories (lower-cased full names) */
  repositories?: Set<string>;
}
