/**
 * What the tracking issue is told when `/mission attach --create` was carried
 * out, and the mission as recorded after it. Pure.
 */
import type { Mission } from "../model.js";
import { codeSpan, inlineText } from "../markdown/escape.js";

export type CreateOutcome = { ok: true; repo: string; covered: boolean | "unknown" } | { ok: false; status?: number; message: string };

export function afterCreate(m: Mission, outcome: CreateOutcome, at: string): { mission: Mission; key: string; body: string } {
  const request = m.attach_request;
  const { attach_request: _done, ...rest } = m;
  const repo = request?.repo ?? (outcome.ok ? outcome.repo : "?");
  const from = request?.template ? ` from the template ${codeSpan(request.template)}` : "";
  if (!outcome.ok) {
    const why =
      outcome.status === 403
        ? " The App may create repositories in an organisation where it is installed with the **Administration: write** permission; GitHub lets no App create one for a user account."
        : outcome.status === 422
          ? " The name may be taken, or the template is not marked as a template."
          : "";
    return {
      mission: { ...rest, decisions: [...rest.decisions, { at, by: "mission-bot", what: `Could not create ${repo}: ${outcome.message.slice(0, 300)}` }] },
      key: `attach-refused:${repo.toLowerCase()}:${request?.comment ?? 0}`,
      body: `**mission-bot could not create ${codeSpan(repo)}**${from} (${outcome.status ?? "error"}: ${inlineText(outcome.message)}).${why} Nothing was attached: create the repository yourself and \`/mission attach ${repo}\`.`,
    };
  }
  const mission: Mission = { ...rest, target: outcome.repo, decisions: [...rest.decisions, { at, by: "mission-bot", what: `Created ${outcome.repo}${request?.template ? ` from ${request.template}` : ""}; the mission builds there.` }] };
  const covered =
    outcome.covered === true
      ? " Workers, validation and pull requests run there from now on."
      : ` But the App's installation does not cover it (an installation on **selected repositories** does not gain the repositories the App creates): add ${codeSpan(outcome.repo)} to the installation; no worker starts until then.`;
  return { mission, key: `attach-created:${outcome.repo.toLowerCase()}`, body: `**Created ${codeSpan(outcome.repo)}**${from} and attached it to mission ${m.id}.${covered}` };
}
