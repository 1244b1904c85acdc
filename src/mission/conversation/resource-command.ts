/**
 * `/mission resource ready <name>`: a person with write access (checked
 * live, like every command) says a resource of the plan is there — a
 * database, domain or account the bot cannot check, or a secret it cannot
 * list (a workflow's GITHUB_TOKEN may not). The features waiting for it
 * start on the next pass. Recorded in the decision log. Pure.
 */
import type { Mission } from "../model.js";
import { sameResource } from "../plan/resources.js";
import { missingFor, readyRecord, resourcesOf } from "../workers/resources.js";
import { inlineText } from "../markdown/escape.js";
import type { CommandInput, Step } from "./step.js";

export function decideResourceCommand(input: CommandInput & { mission: Mission; name: string }): Step {
  const { mission: m, name } = input;
  const list = resourcesOf(m);
  if (!list.length) {
    return { kind: "reply", reply: `Mission **${m.id}**'s plan lists no resources, so nothing waits for one. Resources are listed in the plan (\`Resources:\` in the outline; README "Resources").` };
  }
  const r = list.find((x) => sameResource(x.name, name));
  if (!r) {
    return { kind: "reply", reply: `The plan lists no resource by that name. Its resources: ${list.map((x) => `\`${x.name}\``).join(", ")}.` };
  }
  const before = readyRecord(m, r);
  if (before) {
    const how = before.found_in ? "the bot found it among the secrets" : `@${inlineText(before.by)} confirmed it`;
    return { kind: "reply", reply: `The ${r.kind} \`${r.name}\` is already marked ready (${how}).` };
  }
  const status = m.resource_status ?? { ready: [] };
  const next: Mission = {
    ...m,
    resource_status: { ...status, ready: [...status.ready, { name: r.name, by: input.author, at: input.now }] },
    decisions: [...m.decisions, { at: input.now, by: input.author, what: `Resource ${r.kind} \`${r.name}\` confirmed ready by @${input.author}.` }],
  };
  const waiting = m.plan?.milestones.flatMap((ms) => ms.features).filter((f) => !f.done && missingFor(m, f).some((x) => x === r)) ?? [];
  const stillMissing = waiting.filter((f) => missingFor(next, f).length).map((f) => f.key);
  const starts = waiting.map((f) => f.key).filter((k) => !stillMissing.includes(k));
  const after = [
    starts.length ? `Features ${starts.join(", ")} no longer wait for it and start when their turn comes.` : "",
    stillMissing.length ? `Features ${stillMissing.join(", ")} still wait for other resources (see the dashboard).` : "",
  ].filter(Boolean);
  return { kind: "reply", mission: next, reply: [`The ${r.kind} \`${r.name}\` is marked ready, confirmed by @${input.author}.`, ...after].join(" ") };
}
