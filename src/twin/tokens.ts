/**
 * Installation access tokens, as POST /app/installations/{id}/access_tokens
 * mints them (REST docs "Create an installation access token for an app"):
 *
 *   "If `permissions` is not specified, the installation access token will
 *   have all of the permissions that were granted to the app. The
 *   installation access token cannot be granted permissions that the app was
 *   not granted." — and "cannot be granted access to repositories that the
 *   installation was not granted access to. Up to 500 repositories can be
 *   listed in this manner."
 *
 * A permission the installation lacks, a higher level than it has, or a name
 * GitHub does not know (`pull-requests` for `pull_requests`:
 * actions/create-github-app-token#245) is refused with 422 "The permissions
 * requested are not granted to this installation." (the message
 * actions/create-github-app-token and peter-murray/workflow-application-token-action#48
 * report). `actions/create-github-app-token`'s `permission-*` inputs reach
 * this endpoint as `permissions`.
 */
import { randomBytes } from "node:crypto";
import type { RepoState, TokenState } from "./model.js";
import type { GitHubTwin } from "./state.js";

/**
 * The permissions an app can hold, with their levels: `app-permissions` in
 * GitHub's REST description (@octokit/openapi 23.0.2).
 */
export const APP_PERMISSION_LEVELS: Readonly<Record<string, readonly string[]>> = {
  actions: ["read", "write"],
  administration: ["read", "write"],
  artifact_metadata: ["read", "write"],
  attestations: ["read", "write"],
  checks: ["read", "write"],
  code_quality: ["read", "write"],
  codespaces: ["read", "write"],
  contents: ["read", "write"],
  dependabot_secrets: ["read", "write"],
  deployments: ["read", "write"],
  discussions: ["read", "write"],
  environments: ["read", "write"],
  issues: ["read", "write"],
  merge_queues: ["read", "write"],
  metadata: ["read", "write"],
  packages: ["read", "write"],
  pages: ["read", "write"],
  pull_requests: ["read", "write"],
  repository_custom_properties: ["read", "write"],
  repository_hooks: ["read", "write"],
  repository_projects: ["read", "write", "admin"],
  secret_scanning_alerts: ["read", "write"],
  secrets: ["read", "write"],
  security_events: ["read", "write"],
  single_file: ["read", "write"],
  statuses: ["read", "write"],
  vulnerability_alerts: ["read", "write"],
  workflows: ["write"],
  custom_properties_for_organizations: ["read", "write"],
  members: ["read", "write"],
  organization_administration: ["read", "write"],
  organization_custom_roles: ["read", "write"],
  organization_custom_org_roles: ["read", "write"],
  organization_custom_properties: ["read", "write", "admin"],
  organization_copilot_seat_management: ["read", "write"],
  organization_copilot_agent_settings: ["read", "write"],
  organization_announcement_banners: ["read", "write"],
  organization_events: ["read"],
  organization_hooks: ["read", "write"],
  organization_personal_access_tokens: ["read", "write"],
  organization_personal_access_token_requests: ["read", "write"],
  organization_plan: ["read"],
  organization_projects: ["read", "write", "admin"],
  organization_packages: ["read", "write"],
  organization_secrets: ["read", "write"],
  organization_self_hosted_runners: ["read", "write"],
  organization_user_blocking: ["read", "write"],
  email_addresses: ["read", "write"],
  followers: ["read", "write"],
  git_ssh_keys: ["read", "write"],
  gpg_keys: ["read", "write"],
  interaction_limits: ["read", "write"],
  profile: ["write"],
  starring: ["read", "write"],
  enterprise_custom_properties_for_organizations: ["read", "write", "admin"],
};

const RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };

/** Whether `granted` covers `wanted` (write covers read; admin covers both). */
export function levelCovers(granted: string | undefined, wanted: string): boolean {
  return granted !== undefined && (RANK[granted] ?? 0) >= (RANK[wanted] ?? 99);
}

export const NOT_GRANTED = "The permissions requested are not granted to this installation.";
export const REPOSITORY_NOT_ACCESSIBLE = "There is at least one repository that does not exist or is not accessible to the parent installation.";

export interface TokenRequest {
  permissions?: Record<string, string>;
  repositories?: string[];
  repository_ids?: number[];
}

export type MintResult = { token: TokenState; repositories: RepoState[] | undefined } | { status: 404 | 422; error: string };

export function mintInstallationToken(twin: GitHubTwin, installationId: number, request: TokenRequest): MintResult {
  const inst = twin.installations.get(installationId);
  if (!inst) return { status: 404, error: "Not Found" };
  const covers = (r: RepoState) => (inst.repositories === "all" ? r.owner === inst.account : inst.repositories.has(r.full_name.toLowerCase()));

  let repositories: RepoState[] | undefined;
  const names = request.repositories ?? [];
  const ids = request.repository_ids ?? [];
  if (names.length || ids.length) {
    if (names.length + ids.length > 500) return { status: 422, error: "Too many repositories requested (the most is 500)." };
    const found: RepoState[] = [];
    for (const n of names) {
      const r = twin.repos.get(`${inst.account.login}/${n}`.toLowerCase());
      if (!r || !covers(r)) return { status: 422, error: REPOSITORY_NOT_ACCESSIBLE };
      found.push(r);
    }
    for (const id of ids) {
      const r = twin.repoById(id);
      if (!r || !covers(r)) return { status: 422, error: REPOSITORY_NOT_ACCESSIBLE };
      found.push(r);
    }
    repositories = [...new Set(found)];
  }

  // undefined: the installation's permissions, whatever they are when the token is used
  let permissions: Record<string, string> | undefined;
  if (request.permissions && Object.keys(request.permissions).length) {
    permissions = {};
    for (const [name, level] of Object.entries(request.permissions)) {
      const levels = APP_PERMISSION_LEVELS[name];
      if (!levels || !levels.includes(level)) return { status: 422, error: NOT_GRANTED };
      const granted = inst.permissions[name] ?? (name === "metadata" ? "read" : undefined);
      if (!levelCovers(granted, level)) return { status: 422, error: NOT_GRANTED };
      permissions[name] = level;
    }
    // every token can read metadata
    permissions.metadata ??= "read";
  }

  const value = `ghs_${randomBytes(18).toString("base64url").replace(/[-_]/g, "x").slice(0, 36)}`;
  const token: TokenState = {
    token: value,
    kind: "installation",
    installationId,
    expiresAt: twin.now() + 3600_000,
    ...(permissions ? { permissions } : {}),
    ...(repositories ? { repositories: new Set(repositories.map((r) => r.full_name.toLowerCase())) } : {}),
  };
  twin.tokens.set(value, token);
  return { token, repositories };
}
