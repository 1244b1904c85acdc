/**
 * The GitHub twin: a stateful in-memory stand-in for GitHub for tests.
 *
 *   const twin = new GitHubTwin();
 *   twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization",
 *                  collaborators: { alice: "admin" }, files: { ".github/mission.yml": "…" } });
 *   const stop = serveWithNock(twin);            // api.github.com → twin.handle
 *   const octokit = botOctokit(twin);            // installation token → acts as mission-bot[bot]
 *   twin.as("alice").comment(1, "/mission Build a CRM");   // records issue_comment.created
 *   …
 *   expect(twin.contractFailures).toEqual([]);
 *   stop();
 */
export { GitHubTwin, UserActions, gitBlobSha, CONTENT_LIMITS } from "./state.js";
export type { TwinOptions, RepoSeed, FaultSpec, Fault, FaultKind, LogEntry, Counters, TwinRequest, TwinResponse, TwinEvent } from "./state.js";
export type { Role, TwinUser, IssueState, CommentState, RepoState, Actor } from "./model.js";
export { serveWithNock } from "./nock.js";
export { botOctokit, userOctokit, type TwinOctokit } from "./octokit.js";
export { CONTENT_CREATING, ROUTES } from "./routes.js";
