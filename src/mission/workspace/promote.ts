/**
 * `/mission promote <agent>`: a person proposes a mission agent for every
 * mission. The request is recorded on the agent; apply opens a pull request
 * that adds the agent to `worker.agents_folder` on the default branch (which
 * every worker prompt includes) and records it. Nothing is promoted without
 * a person: the bot only proposes, in the completion report, and a person
 * merges the pull request. Pure.
 */
import type { Mission } from "../model.js";
import type { CommandInput, Step } from "../conversation/step.js";
import { codeSpan, inlineText } from "../markdown/escape.js";
import type { AgentRecord } from "./model.js";
import { scoreAgent, scoreWords } from "./score.js";

export function decidePromoteCommand(input: CommandInput & { mission: Mission; agent: string }): Step {
  const { mission: m, agent: name } = input;
  const agents = m.agents ?? [];
  const a = agents.find((x) => x.name === name);
  if (!a) {
    const known = agents.map((x) => codeSpan(x.name)).join(", ");
    return { kind: "reply", reply: `Mission **${m.id}** has no agent ${codeSpan(name)}. ${known ? `Its agents: ${known}.` : "It has drafted no agents."}` };
  }
  if (!a.written) return { kind: "reply", reply: `The agent ${codeSpan(name)} is being written to the mission folder; promote it once it is there.` };
  const p = a.promotion;
  if (p?.pull_request) return { kind: "reply", reply: `The agent ${codeSpan(name)} is already proposed for every mission in #${p.pull_request}.` };
  if (p && !p.refused) return { kind: "reply", reply: `A pull request promoting ${codeSpan(name)} is being opened; its address follows on this issue.` };
  const promoted: AgentRecord = { ...a, promotion: { by: input.author, at: input.now } };
  return {
    kind: "reply",
    mission: {
      ...m,
      agents: agents.map((x) => (x.name === name ? promoted : x)),
      decisions: [...m.decisions, { at: input.now, by: input.author, what: `Promotion of mission agent ${name} asked for.` }],
    },
    reply: `I am opening a pull request that adds the agent ${codeSpan(name)} (${scoreWords(scoreAgent(m, a))}) to \`${input.config.worker.agents_folder}/\`, which every worker prompt of every mission includes once it is merged; its address follows on this issue.`,
  };
}

/** Promotions asked for and not yet opened (nor refused): apply opens each pull request. */
export function promotionsDue(m: Mission): string[] {
  return (m.agents ?? []).filter((a) => a.written && a.promotion && !a.promotion.pull_request && !a.promotion.refused).map((a) => a.name);
}

/** The branch the promotion pull request comes from. */
export function promotionBranch(m: Mission, name: string): string {
  return `mission-agents/${name}-${m.id}`;
}

export function promotionPullRequest(m: Mission, a: AgentRecord, folder: string): { title: string; body: string } {
  const s = scoreAgent(m, a);
  return {
    title: `Mission agent ${a.name}: for every mission`,
    body: [
      `Adds the mission agent \`${a.name}\` to \`${folder}/\`: once merged, every worker of every mission reads it.`,
      "",
      `Drafted by mission ${m.id} (#${m.tracking_issue}); ${scoreWords(s)}. Promotion asked for by @${a.promotion?.by ?? "?"}.`,
      "",
      "Read it before merging: it is instructions every worker will follow.",
    ].join("\n"),
  };
}

/** What the tracking issue is told once the promotion pull request is opened, or refused. */
export function promotionNotice(name: string, p: NonNullable<AgentRecord["promotion"]>): string {
  if (p.pull_request) return `**Mission agent ${codeSpan(name)} proposed for every mission** in #${p.pull_request} (asked for by @${p.by}). It takes effect once a person merges it.`;
  return `**Could not propose mission agent ${codeSpan(name)}:** ${inlineText(p.refused ?? "GitHub refused")}. Fix that and reply \`/mission promote ${name}\` again.`;
}
