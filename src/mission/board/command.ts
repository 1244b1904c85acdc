/**
 * `/mission project`: a person asks for a Project board made for this
 * mission. The request is recorded; apply makes the project (GraphQL
 * `createProjectV2`: the REST API cannot create projects) in the
 * repository's organisation and says where it is. Pure.
 */
import type { Mission } from "../model.js";
import type { CommandInput, Step } from "../conversation/step.js";

export function decideProjectCommand(input: CommandInput & { mission: Mission }): Step {
  const { mission: m } = input;
  if (m.board?.node_id) {
    const p = m.board.project;
    return { kind: "reply", reply: `Mission **${m.id}** already has its Project board: project ${p.number} of ${p.owner}.` };
  }
  if (m.board_request) return { kind: "reply", reply: `A Project board for mission **${m.id}** is already being made; its address follows on this issue.` };
  const owner = input.repo.split("/")[0] ?? input.repo;
  return {
    kind: "reply",
    mission: {
      ...m,
      board_request: { at: input.now, by: input.author },
      decisions: [...m.decisions, { at: input.now, by: input.author, what: "Project board asked for." }],
    },
    reply: `I am making a Project board for mission **${m.id}** in ${owner}; its address follows on this issue. Its cards follow the mission once it runs (README "Project board").`,
  };
}
