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
  /** set when the issue was created with an installation token */
  performed_via_app: boolean;
  /** an issue-numbered pull request (only its issue face is modelled) */
  pull_request: boolean;
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
  performed_via_app: boolean;
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
  | { kind: "user"; user: TwinUser; token?: string }
  | { kind: "app" }
  | { kind: "anonymous" };

export interface TokenState {
  token: string;
  kind: "installation" | "user";
  installationId?: number;
  login?: string;
  expiresAt: number;
  permissions?: Record<string, string>;
  /** installation tokens narrowed to some repositories (lower-cased full names) */
  repositories?: Set<string>;
}
