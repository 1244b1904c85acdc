/**
 * An issue opened from the mission form (or labelled `mission`) starts a
 * mission, when its author may command the bot.
 */
import { decideFromForm } from "../mission/conversation.js";
import { parseMissionForm } from "../mission/issue-form.js";
import { firstMarker } from "../mission/markers.js";
import { LABELS } from "../mission/model.js";
import { fullName } from "./client.js";
import { converse, type CommandDeps } from "./commands.js";
import { mayCommand } from "./permission.js";
import { commentOnce } from "./replies.js";

interface FormPayload {
  action: string;
  label?: { name: string } | null;
  sender: { login: string; type: string };
  issue: {
    number: number;
    id: number;
    title: string;
    body?: string | null;
    created_at: string;
    user: { login: string; type?: string } | null;
    labels?: ReadonlyArray<{ name: string } | string>;
    pull_request?: unknown;
  };
}

export type FormOutcome = "ignored" | "refused" | "started";

export async function handleMissionForm(deps: CommandDeps, payload: FormPayload): Promise<FormOutcome> {
  const { issue } = payload;
  const labels = (issue.labels ?? []).map((l) => (typeof l === "string" ? l : l.name));
  const labelled = payload.action === "labeled" ? payload.label?.name === LABELS.mission : labels.includes(LABELS.mission);
  if (!labelled || issue.pull_request || firstMarker(issue.body, "dashboard")) return "ignored";
  // Who asked: the opener of a form issue, or whoever added the label.
  const requester = payload.action === "labeled" ? payload.sender.login : (issue.user?.login ?? payload.sender.login);
  const { octokit, repo } = deps;
  if (!(await mayCommand(octokit, repo, requester))) {
    await commentOnce(
      octokit,
      repo,
      issue.number,
      `refused:${issue.id}`,
      `Sorry @${requester}, only people with write access to ${fullName(repo)} can start a mission. A maintainer can add the \`mission\` label or comment \`/mission <goal>\`.`,
    );
    return "refused";
  }
  const body = issue.body ?? "";
  const form = parseMissionForm(body) ?? { goal: `${issue.title}\n\n${body}`.trim(), answers: "" };
  await converse(
    deps,
    issue.number,
    async (text, state) => {
      await commentOnce(octokit, repo, issue.number, `start:${issue.id}`, text, state);
    },
    (current, _tracking, config, history) =>
      decideFromForm({
        history,
        form,
        ...(current ? { mission: current } : {}),
        author: requester,
        now: issue.created_at,
        repo: fullName(repo),
        issueNumber: issue.number,
        config,
      }),
    true,
  );
  return "started";
}
