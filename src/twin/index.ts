/**
 * The GitHub twin: a stateful in-memory stand-in for GitHub, for tests and
 * for `mission-bot sandbox` (a mission rehearsed with no GitHub at all).
 *
 * In tests, build it with test/support/twin.ts, which injects GitHub's REST
 * description so every request is checked against it:
 *   const twin = contractTwin();                 // new GitHubTwin({ contract })
 *   twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization",
 *                  collaborators: { alice: "admin" }, files: { ".github/mission.yml": "…" } });
 *   const stop = serveWithNock(twin);            // test/support/twin-nock.ts: api.github.com → twin.handle
 *   const octokit = botOctokit(twin);            // installation token → acts as mission-bot[bot]
 *   twin.as("alice").comment(1, "/mission Build a CRM");   // records issue_comment.created
 *   …
 *   expect(twin.contractFailures).toEqual([]);
 *   stop();
 *
 * Over real HTTP, with GitHub Actions and webhook deliveries:
 *   twin.addRepo({ …, files: { ".github/workflows/worker.yml": "…" } });
 *   const server = await startTwinServer(twin);            // GHE_HOST=server.host, GHE_PROTOCOL=http
 *   const sender = new WebhookSender({ twin, url: "http://127.0.0.1:3000/api/github/webhooks", secret });
 *   twin.onQueued(async (run, inputs) => {                 // the test plays the worker
 *     twin.actions.start(run.id);
 *     twin.as("github-actions[bot]").comment(Number(inputs.issue), report);
 *     twin.actions.complete(run.id, "success", { durationMs: 60_000 });
 *   });
 *   await sender.pump();                                   // deliver until quiet
 *   await server.close();
 *
 * GitHub's rules, as strict as GitHub (each cites its source next to its code):
 *   new GitHubTwin({ server: "ghes-3.19" })                // profile.ts: Enterprise Server (contractTwin checks its own description)
 *   new GitHubTwin({ app: { permissions: { … } } })        // what the App was granted; tokens.ts refuses more (422)
 *   twin.actionsToken(repo, { permissions, runId })        // a run's GITHUB_TOKEN: 1,000 requests/h/repo, its commits start nothing
 *   twin.protectBranch("main") / twin.addRuleset({ … })    // direct writes to such branches: 409
 *   twin.hold({ method, route })                           // hold a request in flight: overlap it with others
 *   twin.as("alice").rerun(runId)                          // a person re-runs a run (run_attempt + 1)
 *   twin.limits                                            // limits.ts: rate limits (enforced by default) and their counters
 *   new GitHubTwin({ rateLimits: false })                  // a twin that counts but does not refuse
 *   new GitHubTwin({ dispatchVisibilityMs: 5000 })         // how long a dispatched run takes to show in the lists
 */
export { GitHubTwin, UserActions, gitBlobSha, CONTENT_LIMITS, ACTIONS_TOKEN_DEFAULT_PERMISSIONS, branchMatches, type HoldHandle } from "./state.js";
export type { TwinOptions, TwinContract, RepoSeed, FaultSpec, Fault, FaultKind, LogEntry, Counters, TwinRequest, TwinResponse, TwinEvent } from "./state.js";
export type { Role, TwinUser, IssueState, CommentState, RepoState, Actor, BranchRule } from "./model.js";
export { botOctokit, userOctokit, actionsOctokit, QuietOctokit, type TwinOctokit, type TwinOctokitOptions } from "./octokit.js";
export { SERVER_PROFILES, serverProfile, GHES_HOST, type ServerProfile, type ServerProfileName } from "./profile.js";
export { TwinLimits, CONTENT_LIMITS as SECONDARY_CONTENT_LIMITS, POINTS_PER_MINUTE, MAX_CONCURRENT, PRIMARY_LIMITS } from "./limits.js";
export { APP_PERMISSION_LEVELS } from "./tokens.js";
export { resolveOwnRoute } from "./route-table.js";
export { webhookExample, webhookExampleEvents } from "./examples.js";
export { CONTENT_CREATING, ROUTES } from "./routes.js";
export { startTwinServer, type TwinServer, type TwinServerOptions } from "./server.js";
export { WebhookSender, signatureSha256, signatureSha1, prng } from "./webhook-sender.js";
export type { DeliveryFaults, DeliveryRecord, PumpOptions, SignatureMode, WebhookSenderOptions } from "./webhook-sender.js";
export { TwinActions, parseWorkflow, interpolate, dateQuery, skipsCi, filterMatches, MAX_WORKFLOW_RUN_DEPTH } from "./actions.js";
export type { RunState, JobState, WorkflowState, WorkflowDefinition, RunConclusion, RunStatus, RunHook, RunFilter, DispatchOptions, DispatchResult } from "./actions.js";
