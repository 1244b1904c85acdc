/**
 * What the GitHub the bot talks to offers. github.com and Enterprise Cloud
 * have everything the bot uses; an Enterprise Server names its release in
 * every REST answer ("X-GitHub-Enterprise-Version: enterprise-server@3.19.0",
 * REST docs "GitHub Enterprise administration", Version information), and
 * older releases lack some endpoints:
 * - sub-issues: absent from the ghes-3.17 … 3.19 REST descriptions
 *   (@octokit/openapi) and from the 3.20 docs (content/rest/issues/sub-issues.md
 *   is versioned fpt and ghec only); the bot lists a milestone's features in
 *   its body instead. A later release is assumed to have them, and a 404
 *   falls back the same way.
 * - issue dependencies (blocked by): in the ghes-3.19 description, not in 3.17
 *   or 3.18; without them a feature's issue says what it depends on, and the
 *   bot keeps the order itself.
 * - `return_run_details` in a workflow dispatch: 3.20 and older answer 400
 *   (cli/cli#12672); the bot then finds the run by its name. An unknown
 *   server that refuses it is remembered after the first 400 (apply.ts).
 */
export interface ServerFeatures {
  subIssues: boolean;
  dependencies: boolean;
  runDetails: boolean;
}

export const EVERYTHING: ServerFeatures = { subIssues: true, dependencies: true, runDetails: true };

/** From the `x-github-enterprise-version` header of an answer (absent: github.com or Enterprise Cloud). */
export function serverFeatures(enterpriseVersion: string | undefined): ServerFeatures {
  const match = /(\d+)\.(\d+)/.exec(enterpriseVersion ?? "");
  if (!match) return EVERYTHING;
  const release = Number(match[1]) * 1000 + Number(match[2]);
  return { subIssues: release > 3020, dependencies: release >= 3019, runDetails: release > 3020 };
}

/** The header of an Octokit answer or error, whatever case it came in. */
export function enterpriseVersionOf(headers: Record<string, unknown> | undefined): string | undefined {
  const value = headers?.["x-github-enterprise-version"];
  return typeof value === "string" ? value : undefined;
}
