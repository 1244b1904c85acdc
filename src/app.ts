/**
 * The Probot app: which event concerns which mission, and who handles it.
 * Thin: the rules live in src/mission/, the GitHub work in src/github/.
 */
import type { Probot, Context } from "probot";
import { handleCommandComment, type CommandDeps } from "./github/commands.js";
import { handleMissionForm } from "./github/form.js";
import { runMission } from "./github/run-mission.js";
import type { HintComment } from "./github/snapshot.js";
import { Serial } from "./github/serial.js";
import type { ApplyLimits } from "./github/apply.js";
import { REQUEST_TIMEOUT_MS, withRequestTimeout, type Octokit, type RepoRef } from "./github/client.js";
import { firstMarker } from "./mission/markers.js";
import { plannerFor } from "./planner/index.js";
import type { Config } from "./mission/model.js";

export interface AppOptions {
  /** environment the planner key is read from (never logged) */
  env?: Record<string, string | undefined>;
  /** writes and time one webhook delivery may spend; GitHub waits 10 s for an answer */
  limits?: () => ApplyLimits;
  /** the bot's login when it is known without asking GitHub (e.g. "github-actions[bot]" in Actions) */
  botLogin?: string;
  /**
   * Called when a bounded apply left work for later. The App continues on the
   * events its own writes cause; inside Actions (where GITHUB_TOKEN's writes
   * trigger no workflow) this asks for another pulse.
   */
  onIncomplete?: (octokit: Octokit, repo: RepoRef) => Promise<void>;
  /** what time it is (epoch ms); default Date.now. Tests run the app on the twin's clock. */
  clock?: () => number;
}

/** Bounded work per delivery: a few writes, and stop starting new ones after 7 s. */
export const webhookLimits = (): ApplyLimits => ({ maxWrites: 8, timeMs: 7_000 });

export function missionBot(options: AppOptions = {}) {
  const env = options.env ?? process.env;
  // How long one GitHub request may take once sent (MISSION_BOT_REQUEST_TIMEOUT_MS, default 30 s).
  const requestTimeout = Number(env.MISSION_BOT_REQUEST_TIMEOUT_MS) > 0 ? Number(env.MISSION_BOT_REQUEST_TIMEOUT_MS) : REQUEST_TIMEOUT_MS;
  const timed = <T extends Octokit>(octokit: T) => withRequestTimeout(octokit, requestTimeout);
  const limits = options.limits ?? webhookLimits;
  const clock = options.clock ?? Date.now;
  const serial = new Serial();

  const deps = async (context: Context<"issue_comment.created" | "issues">): Promise<CommandDeps> => {
    const repo = context.repo();
    const login = await botLogin(context);
    return {
      ...(login ? { botLogin: login } : {}),
      octokit: timed(context.octokit),
      repo,
      defaultBranch: context.payload.repository.default_branch,
      limits,
      clock,
      log: context.log,
      ...(options.onIncomplete ? { onIncomplete: options.onIncomplete } : {}),
      choosePlanner: (config: Config) => plannerFor(config, env),
    };
  };

  /** "<slug>[bot]": the only author whose comments are trusted to carry mission state. */
  let login: Promise<string | undefined> | undefined;
  let probot: Probot | undefined;
  const botLogin = (context: Context): Promise<string | undefined> => {
    if (options.botLogin !== undefined) return Promise.resolve(options.botLogin);
    login ??= (async () => {
      try {
        const appOctokit = await probot!.auth();
        const { data } = await appOctokit.rest.apps.getAuthenticated();
        return data?.slug ? `${data.slug}[bot]` : undefined;
      } catch (error) {
        context.log.warn({ err: error }, "could not read the app's own login; trusting any bot's state blocks");
        login = undefined;
        return undefined;
      }
    })();
    return login;
  };

  return (app: Probot) => {
    probot = app;

    /** Reconcile one mission, one at a time per mission; a waiting reconcile absorbs later requests. */
    const reconcileMission = (
      context: Context,
      repository: { full_name: string; default_branch: string },
      trackingIssue: number,
      hintComments?: HintComment[],
    ) =>
      serial.reconcile(`${repository.full_name}#${trackingIssue}`, async () => {
        const login = await botLogin(context);
        const outcome = await runMission({
          octokit: timed(context.octokit),
          repo: context.repo(),
          trackingIssue,
          defaultBranch: repository.default_branch,
          limits,
          clock,
          ...(login ? { botLogin: login } : {}),
          ...(hintComments ? { hintComments } : {}),
        });
        if (outcome.kind === "applied" && !outcome.result.complete) await options.onIncomplete?.(context.octokit, context.repo());
      });

    app.on("issue_comment.created", async (context) => {
      const { comment, issue, repository } = context.payload;
      const fromBot = comment.user?.type === "Bot" || context.payload.sender.type === "Bot";
      // A worker's or validation's report on a feature or milestone issue moves its mission on.
      const tracking = firstMarker(issue.body, "tracking");
      if (fromBot && tracking && /<!-- mission-bot:(report|validation) /.test(comment.body)) {
        const hint = { issueNumber: issue.number, url: comment.html_url, body: comment.body, user: comment.user ? { login: comment.user.login, type: comment.user.type ?? "User" } : null };
        await reconcileMission(context, repository, Number(tracking.key), [hint]);
        return;
      }
      await serial.run(`${repository.full_name}#${issue.number}`, async () => {
        const outcome = await handleCommandComment(await deps(context), {
          id: comment.id,
          body: comment.body,
          created_at: comment.created_at,
          author: comment.user?.login ?? "",
          authorIsBot: fromBot,
          issue: { number: issue.number, title: issue.title, isPullRequest: Boolean(issue.pull_request) },
        });
        context.log.info({ comment: comment.id, outcome }, "mission command");
      });
    });

    app.on(["issues.opened", "issues.labeled"], async (context) => {
      const { issue } = context.payload;
      if (context.payload.sender.type !== "Bot") {
        await serial.run(`${context.payload.repository.full_name}#${issue.number}`, async () => {
          await handleMissionForm(await deps(context), context.payload);
        });
      }
      await continueMission(context);
    });

    app.on(["issues.closed", "issues.reopened"], continueMission);

    /** A worker or validation run finished (or started): its name says which mission. */
    app.on("workflow_run", async (context) => {
      const { workflow_run: run, repository } = context.payload;
      const mission = missionOfRunName("display_title" in run && typeof run.display_title === "string" ? run.display_title : "");
      if (mission) await reconcileMission(context, repository, mission.trackingIssue);
    });

    /** An event on one of the bot's issues moves that mission on (this is also how a large plan keeps materialising). */
    async function continueMission(context: Context<"issues">) {
      const { issue, repository } = context.payload;
      const tracking = firstMarker(issue.body, "tracking");
      if (tracking) await reconcileMission(context, repository, Number(tracking.key));
    }
  };
}

/** "mission m-20261124-crm-42 / feature 1.2 / t1-…" → the mission and its tracking issue (the id ends with it). */
export function missionOfRunName(title: string): { id: string; trackingIssue: number } | undefined {
  const match = /^mission (m-\d{8}-[a-z0-9-]*?-(\d+)) \/ /.exec(title);
  return match ? { id: match[1]!, trackingIssue: Number(match[2]) } : undefined;
}

export default missionBot();
