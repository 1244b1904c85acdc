/**
 * Which mission an event concerns: a webhook (or an Actions event) → the job
 * "reconcile the mission of issue N", or nothing. Pure and free: deciding
 * costs no request, so a redelivered or irrelevant delivery costs at most
 * the one job it names (and nothing when it names none, or when it is a
 * redelivery of an event already handled: deliveries.ts). An event is only a
 * hint — the job reads the state itself — so a label or marker that lies
 * costs one reconcile that changes nothing.
 */
import { addressesBot } from "../mission/conversation/commands.js";
import { carriesReport, firstMarker } from "../mission/markers.js";
import { LABELS } from "../mission/model.js";
import type { ReconcileJob } from "./queue.js";

interface User {
  login: string;
  type?: string;
}

interface EventIssue {
  number: number;
  body?: string | null;
  user?: User | null;
  labels?: ReadonlyArray<{ name?: string } | string>;
  pull_request?: unknown;
}

export interface EventPayload {
  action?: string;
  sender?: User;
  installation?: { id: number };
  repository?: { name: string; owner: { login: string } };
  issue?: EventIssue;
  comment?: { body?: string | null; user?: User | null };
  label?: { name?: string } | null;
  workflow_run?: { display_title?: string; name?: string | null };
}

/** `who` is the bot's own login: its own writes route nowhere (the job that made them already knows). */
export function route(name: string, payload: EventPayload, botLogin: string | undefined): ReconcileJob | undefined {
  const repository = payload.repository;
  if (!repository) return undefined;
  const base = {
    owner: repository.owner.login,
    repo: repository.name,
    ...(payload.installation ? { installationId: payload.installation.id } : {}),
  };
  const reason = payload.action ? `${name}.${payload.action}` : name;
  const job = (issue: number): ReconcileJob => ({ ...base, issue, reason });
  const isBot = (u: User | null | undefined) => !!u && (u.type === "Bot" || u.login.endsWith("[bot]"));
  const self = (u: User | null | undefined) => !!u && !!botLogin && u.login === botLogin;

  switch (name) {
    case "issue_comment": {
      const { issue, comment } = payload;
      if (!issue || !comment || payload.action !== "created") return undefined;
      if (isBot(comment.user)) {
        // A worker's or validation's report on one of the bot's issues moves its mission on.
        const tracking = missionOf(issue, botLogin);
        return carriesReport(comment.body) && tracking ? job(tracking) : undefined;
      }
      return addressesBot(comment.body ?? "") ? job(issue.number) : undefined;
    }
    case "issues": {
      const { issue } = payload;
      if (!issue || issue.pull_request || self(payload.sender)) return undefined;
      if (payload.action === "opened" || payload.action === "labeled") {
        if (isBot(payload.sender)) return undefined;
        const labelled = payload.action === "labeled" ? payload.label?.name === LABELS.mission : labelsOf(issue).includes(LABELS.mission);
        if (labelled) return job(issue.number);
      }
      // A person closed, reopened or relabelled one of the mission's issues.
      const tracking = missionOf(issue, botLogin);
      if (tracking) return job(tracking);
      if (labelsOf(issue).some((l) => l === LABELS.mission || l.startsWith("mission:m-"))) return job(issue.number);
      if (payload.action === "unlabeled" && (payload.label?.name === LABELS.mission || payload.label?.name?.startsWith("mission:m-"))) return job(issue.number);
      return undefined;
    }
    case "workflow_run": {
      if (payload.action !== "completed") return undefined;
      const title = payload.workflow_run?.display_title ?? "";
      const mission = missionOfRunName(title);
      return mission ? job(mission.trackingIssue) : undefined;
    }
    default:
      return undefined;
  }
}

/** The tracking issue named by one of the bot's own issues (a milestone or feature issue). */
function missionOf(issue: EventIssue, botLogin: string | undefined): number | undefined {
  if (botLogin && issue.user?.login !== botLogin) return undefined;
  const tracking = firstMarker(issue.body, "tracking");
  return tracking ? Number(tracking.key) : undefined;
}

function labelsOf(issue: EventIssue): string[] {
  return (issue.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? "")));
}

/** "mission m-20261124-crm-42 / feature 1.2 / t1-…" → the mission and its tracking issue (the id ends with it). */
export function missionOfRunName(title: string): { id: string; trackingIssue: number } | undefined {
  const match = /^mission (m-\d{8}-[a-z0-9-]*?-(\d+)) \/ /.exec(title);
  return match ? { id: match[1]!, trackingIssue: Number(match[2]) } : undefined;
}
