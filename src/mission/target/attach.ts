/**
 * Deciding `/mission attach`, from what GitHub said about the repositories
 * it names (read live by github/target.ts) and the mission's own record.
 * Also: whether a running mission's work must wait (no repository yet, or
 * one the App's installation does not cover). Pure.
 */
import type { Mission } from "../model.js";
import type { Action } from "../decision.js";
import { mayDirect, type Permission } from "../decision.js";
import { codeSpan } from "../markdown/escape.js";
import type { AttachCommand } from "./attach-command.js";
import { buildRepo, isHomeless, sameRepo, workStarted } from "./target.js";

/** What GitHub says about one repository a mission builds in, or is asked to. */
export interface RepoFact {
  /** owner/name as it was named */
  repo: string;
  /** the bot's token can read it (it exists, and the bot may see it) */
  visible: boolean;
  /** the App's installation (the home repository's) lists it; "unknown": the token is not an installation's (Actions-only mode) */
  covered: boolean | "unknown";
  defaultBranch?: string;
  /** people's roles there, checked live (lower-cased login → role) */
  permissions: Readonly<Record<string, Permission>>;
}

export interface AttachInput {
  mission: Mission;
  command: AttachCommand;
  author: string;
  now: string;
  comment: number;
  config: { home_only?: boolean };
  repos: readonly RepoFact[];
}

export interface AttachStep {
  mission?: Mission;
  reply: string;
}

const code = (repo: string) => codeSpan(repo);

export function factOf(repos: readonly RepoFact[] | undefined, repo: string): RepoFact | undefined {
  return repos?.find((r) => sameRepo(r.repo, repo));
}

export function decideAttach(input: AttachInput): AttachStep {
  const { mission: m, command: c } = input;
  if (m.status === "completed" || m.status === "cancelled") return { reply: `Mission **${m.id}** is ${m.status}; its repository does not change any more.` };
  const current = buildRepo(m);
  if (workStarted(m) && !sameRepo(c.repo, current)) {
    return {
      reply: `Mission **${m.id}** already builds in ${code(current)}: workers have run there, so its repository no longer changes. Start a new mission to build somewhere else.`,
    };
  }
  if (m.attach_request) {
    return { reply: `Mission **${m.id}** is still creating ${code(m.attach_request.repo)}; wait for that answer before attaching another repository.` };
  }
  if (sameRepo(c.repo, m.repo)) {
    if (c.create) return { reply: `${code(c.repo)} exists: it is this mission's home. Name a new repository to create.` };
    if (input.config.home_only) return { reply: `${code(m.repo)} holds missions only (\`home_only: true\` in \`.github/mission.yml\`): name the repository the mission should build in.` };
    return attached(input, undefined);
  }
  const fact = factOf(input.repos, c.repo);
  if (c.create) return create(input, fact);
  if (!fact?.visible || fact.covered === false) return { reply: notReachable(c.repo) };
  if (fact.covered === "unknown") return { reply: notAnInstallation(c.repo) };
  const role = fact.permissions[input.author.toLowerCase()] ?? "none";
  if (!mayDirect(role)) {
    return { reply: `Sorry @${input.author}, attaching ${code(c.repo)} needs write access there too (you have ${role}). Someone with write access to both repositories can attach it.` };
  }
  return attached(input, c.repo);
}

function create(input: AttachInput, fact: RepoFact | undefined): AttachStep {
  const { mission: m, command: c } = input;
  if (!c.create) return { reply: "" };
  if (fact?.visible) return { reply: `${code(c.repo)} exists already: attach it with \`/mission attach ${c.repo}\` (nothing was created).` };
  if (c.template) {
    const template = factOf(input.repos, c.template);
    if (!template?.visible) return { reply: `The template ${code(c.template)} does not exist or the bot cannot see it; nothing was created.` };
  }
  const request = { repo: c.repo, ...(c.template ? { template: c.template } : {}), at: input.now, by: input.author, comment: input.comment };
  const what = `Repository ${c.repo} to be created${c.template ? ` from the template ${c.template}` : ""} and attached.`;
  return {
    mission: { ...m, attach_request: request, decisions: [...m.decisions, { at: input.now, by: input.author, what }] },
    reply: `Creating ${code(c.repo)}${c.template ? ` from the template ${code(c.template)}` : ""}; mission **${m.id}** builds there once it exists. The answer follows here.`,
  };
}

function attached(input: AttachInput, target: string | undefined): AttachStep {
  const { mission: m } = input;
  const { target: _old, ...rest } = m;
  const where = target ?? m.repo;
  const what = `Attached to ${where}: the mission builds there.`;
  return {
    mission: { ...rest, ...(target ? { target } : {}), decisions: [...m.decisions, { at: input.now, by: input.author, what }] },
    reply: `Mission **${m.id}** builds in ${code(where)} from now on: workers, validation and pull requests run there; the issues and \`mission.md\` stay in ${code(m.repo)}.`,
  };
}

export function notReachable(repo: string): string {
  return `The bot cannot reach ${code(repo)}: it does not exist, or the App is not installed on it. Install the App there (or add the repository to its installation), then try again; nothing was changed.`;
}

function notAnInstallation(repo: string): string {
  return `The bot runs on a workflow's token here (Actions-only mode), which reaches this repository only: it cannot build in ${code(repo)}. Install the mission-bot App on both repositories to build in another one.`;
}

/** Why the mission's work waits now, if it does: no repository yet, or one the App cannot reach. */
export function workHold(m: Mission, config: { home_only?: boolean }, repos: readonly RepoFact[] | undefined): { key: string; body?: string } | undefined {
  if (isHomeless(m, config)) return { key: "homeless" };
  if (!m.target || sameRepo(m.target, m.repo)) return undefined;
  const fact = factOf(repos, m.target);
  if (!fact) return { key: "target-unread" }; // not read this time: wait, say nothing
  if (fact.visible && fact.covered === true) return undefined;
  const body =
    fact.covered === "unknown"
      ? notAnInstallation(m.target)
      : `**Mission ${m.id} cannot start work in ${code(m.target)}:** the App's token for ${code(m.repo)} does not cover it (its installation does not list it). Add ${code(m.target)} to the App's installation (organisation settings → GitHub Apps → Configure → Repository access); no worker starts until then, and the bot looks again at every pulse.`;
  return { key: `target-unreachable:${m.target.toLowerCase()}`, body };
}

/** The comment that says why work waits (once per key), if there is one to say. */
export function holdNotice(hold: ReturnType<typeof workHold>): Action[] {
  return hold?.body ? [{ kind: "comment", on: "tracking", key: hold.key, body: hold.body }] : [];
}
