/**
 * Creating repositories (RULES 24): in an organisation, for the
 * authenticated user, or from a template — stateful (the new repository
 * exists, with the template's files on its default branch), and refused as
 * GitHub refuses:
 *
 * - REST "Create an organization repository", "Create a repository for the
 *   authenticated user", "Create a repository using a template" (their
 *   descriptions in @octokit/openapi): a person must be a member of the
 *   organisation (the twin: a collaborator on one of its repositories); a
 *   template that is not public needs its owner or a member.
 * - An App's installation token creates repositories only in the
 *   organisation it is installed on, with `administration: write`; never for a
 *   user account (403 "Resource not accessible by integration"):
 *   octokit/auth-app.js#271, community discussion #171040.
 * - The new repository is covered by the installation only when it is
 *   installed on all the account's repositories; one on selected
 *   repositories does not gain it (octokit/auth-app.js#271 "you have to
 *   install the app on all your repositories"; community discussion #210736
 *   reports GET /installation/repositories not listing it).
 * - A workflow's GITHUB_TOKEN creates none (403).
 * - A name the account has: 422 "name already exists on this account".
 * - A template that is not marked `is_template`, or the caller cannot see:
 *   404 (integrations/terraform-provider-github#771).
 *
 * Not modelled: the `repository` webhook events, visibility rules of
 * organisations, renaming invalid characters in the name.
 */
import type { RepoState, TwinUser } from "./model.js";
import { levelCovers } from "./tokens.js";
import { repoJson } from "./serialize.js";
import { fail, json, notFound, validationFailed, type Ctx, type Route, type TwinResponse } from "./respond.js";

const NOT_ACCESSIBLE = "Resource not accessible by integration";

/** May the caller create a repository owned by `owner`? A refusal, or undefined. */
function mayCreateIn(c: Ctx, owner: TwinUser): TwinResponse | undefined {
  const a = c.actor;
  switch (a.kind) {
    case "anonymous":
      return fail(401, "Requires authentication");
    case "app":
    case "actions":
      return fail(403, NOT_ACCESSIBLE);
    case "installation": {
      const inst = c.twin.installations.get(a.installationId);
      if (!inst || inst.account !== owner || owner.type !== "Organization") return fail(403, NOT_ACCESSIBLE);
      const token = c.twin.tokens.get(a.token);
      const held = inst.permissions.administration;
      const granted = token?.permissions ? token.permissions.administration : held;
      if (!levelCovers(held, "write") || !levelCovers(granted, "write")) return fail(403, NOT_ACCESSIBLE);
      return undefined;
    }
    case "user": {
      if (owner.login.toLowerCase() === a.user.login.toLowerCase()) return undefined;
      const member = [...c.twin.repos.values()].some((r) => r.owner === owner && r.collaborators.has(a.user.login.toLowerCase()));
      return member ? undefined : fail(403, "You need to be a member of the organization to create a repository in it.");
    }
  }
}

function make(c: Ctx, owner: TwinUser, template: RepoState | undefined): TwinResponse {
  const b = c.body;
  const name = typeof b.name === "string" ? b.name : "";
  if (!name) return validationFailed([{ resource: "Repository", code: "missing_field", field: "name" }]);
  const refused = mayCreateIn(c, owner);
  if (refused) return refused;
  if (c.twin.repos.has(`${owner.login}/${name}`.toLowerCase())) {
    return validationFailed([{ resource: "Repository", code: "custom", field: "name", message: "name already exists on this account" }], "Repository creation failed.");
  }
  const files: Record<string, string> = {};
  if (template) {
    const head = c.twin.head(template, template.default_branch);
    for (const [path, blob] of head?.files ?? []) files[path] = blob.bytes.toString("utf8");
  }
  const repo = c.twin.addRepo({
    owner: owner.login,
    name,
    ownerType: owner.type === "Organization" ? "Organization" : "User",
    private: b.private === true,
    description: typeof b.description === "string" ? b.description : null,
    ...(template ? { defaultBranch: template.default_branch } : {}),
    installationId: false,
    files,
    ...(b.is_template === true ? { isTemplate: true } : {}),
  });
  // an installation on all the account's repositories covers the new one; one on selected repositories does not
  for (const inst of c.twin.installations.values()) if (inst.account === owner && inst.repositories === "all") repo.installationId = inst.id;
  if (c.actor.kind === "user") repo.collaborators.set(c.actor.user.login.toLowerCase(), "admin");
  return json(201, repoJson(repo, c.twin.urls, "admin"), { location: `${c.twin.urls.api}/repos/${repo.full_name}` });
}

function createInOrg(c: Ctx): TwinResponse {
  const org = c.twin.users.get(String(c.params.org).toLowerCase());
  if (!org || org.type !== "Organization") return notFound();
  return make(c, org, undefined);
}

function createForUser(c: Ctx): TwinResponse {
  if (c.actor.kind !== "user") return mayCreateIn(c, c.twin.app.bot) ?? fail(403, NOT_ACCESSIBLE);
  return make(c, c.actor.user, undefined);
}

function generate(c: Ctx): TwinResponse {
  const template = c.twin.repos.get(`${c.params.template_owner}/${c.params.template_repo}`.toLowerCase());
  if (!template || !template.isTemplate || !canRead(c, template)) return notFound();
  const ownerLogin = typeof c.body.owner === "string" ? c.body.owner : c.actor.kind === "user" ? c.actor.user.login : "";
  const owner = c.twin.users.get(ownerLogin.toLowerCase());
  if (!owner) return notFound();
  return make(c, owner, template);
}

/** The template as the caller may see it: public, or covered by its installation, or a person with a role there. */
function canRead(c: Ctx, r: RepoState): boolean {
  if (!r.private) return true;
  const a = c.actor;
  if (a.kind === "installation") {
    const inst = c.twin.installations.get(a.installationId);
    return !!inst && (inst.repositories === "all" ? inst.account === r.owner : inst.repositories.has(r.full_name.toLowerCase()));
  }
  if (a.kind === "user") return c.twin.roleOf(a.user.login, r) !== "none";
  return false;
}

export const REPO_CREATE_ROUTES: Array<[string, Route]> = [
  [`POST /orgs/{org}/repos`, { auth: "token", handler: createInOrg }],
  [`POST /user/repos`, { auth: "token", handler: createForUser }],
  [`POST /repos/{template_owner}/{template_repo}/generate`, { auth: "token", handler: generate }],
];
