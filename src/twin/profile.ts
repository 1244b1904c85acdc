/**
 * Which GitHub the twin plays: github.com (the default), GitHub Enterprise
 * Cloud, or a GitHub Enterprise Server release. A profile is the set of facts
 * that differ between them; each fact cites where it comes from.
 *
 *   new GitHubTwin({ server: "ghes-3.19" })         // https://ghes.example.com/api/v3, no sub-issues …
 *   contractTwin({ server: "ghes-3.19" })           // and every request checked against GHES 3.19's description
 */
import type { Urls } from "./serialize.js";

export type ServerProfileName = "github.com" | "ghec" | "ghes-3.17" | "ghes-3.18" | "ghes-3.19" | "ghes-3.20";

export interface ServerProfile {
  name: ServerProfileName;
  /** a GitHub Enterprise Server release (API under /api/v3 on its own host) */
  enterpriseServer: boolean;
  /**
   * The release an Enterprise Server names in every REST answer: "The current
   * version of your enterprise is returned in the REST API response header:
   * X-GitHub-Enterprise-Version: enterprise-server@3.7.0" (REST docs
   * "GitHub Enterprise administration", Version information, every
   * enterprise-server@3.x); this is the "3.19.0" part. Absent on github.com
   * and Enterprise Cloud.
   */
  enterpriseVersion?: string;
  /**
   * The REST description this server is checked against: the name of a file
   * in `@octokit/openapi/generated/` (test/support/twin.ts loads it).
   */
  description: string;
  /** where resources point by default */
  urls: Urls;
  /**
   * `return_run_details` in a workflow_dispatch body. github.com added it on
   * 2026-02-19 (changelog "Workflow dispatch API now returns run IDs");
   * Enterprise Server 3.20 and older answer 400 `"return_run_details" is not a
   * permitted key.` (cli/cli#12672; benc-uk/workflow-dispatch#86, GHES 3.19);
   * Codex-/return-dispatch#363 requires "github.com or GHES >=3.21".
   */
  returnRunDetails: boolean;
  /**
   * Most top-level `inputs` a dispatch may carry: 25 on github.com since
   * 2025-12-04 (Actions docs, workflow syntax `on.workflow_dispatch.inputs`;
   * the description's `maxProperties: 25`), 10 on older Enterprise Server
   * (rhysd/actionlint#598; `maxProperties: 10` in the ghes-3.17…3.19 descriptions).
   */
  maxDispatchInputs: number;
  /**
   * The sub-issue endpoints (add, remove, list, reprioritize, get parent).
   * Absent from the ghes-3.17, 3.18 and 3.19 descriptions in @octokit/openapi
   * (github/docs content/rest/issues/sub-issues.md is versioned fpt and ghec
   * only); on such a server they answer 404.
   */
  subIssues: boolean;
  /**
   * Primary limit per hour per repository for a workflow run's GITHUB_TOKEN:
   * 1,000; 15,000 for repositories of an Enterprise Cloud enterprise (REST docs
   * "Rate limits for the REST API", "Primary rate limit for GITHUB_TOKEN").
   */
  actionsTokenLimit: number;
  /**
   * Whether primary and secondary rate limits are on by default. "Rate limits
   * are disabled by default for GitHub Enterprise Server. Contact your site
   * administrator to confirm the rate limits for your instance." (REST docs
   * "Rate limits for the REST API", every enterprise-server@3.x version);
   * `TwinOptions.rateLimits: true` plays an instance whose administrator
   * enabled them.
   */
  rateLimitsByDefault: boolean;
}

/** Where an Enterprise Server twin says it lives unless told otherwise. */
export const GHES_HOST = "ghes.example.com";

function ghes(name: ServerProfileName, description: string): ServerProfile {
  return {
    name,
    enterpriseServer: true,
    enterpriseVersion: `${name.slice("ghes-".length)}.0`,
    description,
    // Enterprise Server serves its API at http(s)://HOSTNAME/api/v3 (the `servers` entry of every ghes-* description)
    urls: { api: `https://${GHES_HOST}/api/v3`, web: `https://${GHES_HOST}` },
    returnRunDetails: false,
    maxDispatchInputs: 10,
    subIssues: false,
    actionsTokenLimit: 1000,
    rateLimitsByDefault: false,
  };
}

export const SERVER_PROFILES: Readonly<Record<ServerProfileName, ServerProfile>> = {
  "github.com": {
    name: "github.com",
    enterpriseServer: false,
    description: "api.github.com",
    urls: { api: "https://api.github.com", web: "https://github.com" },
    returnRunDetails: true,
    maxDispatchInputs: 25,
    subIssues: true,
    actionsTokenLimit: 1000,
    rateLimitsByDefault: true,
  },
  ghec: {
    name: "ghec",
    enterpriseServer: false,
    description: "ghec",
    urls: { api: "https://api.github.com", web: "https://github.com" },
    returnRunDetails: true,
    maxDispatchInputs: 25,
    subIssues: true,
    actionsTokenLimit: 15_000,
    rateLimitsByDefault: true,
  },
  "ghes-3.17": ghes("ghes-3.17", "ghes-3.17"),
  "ghes-3.18": ghes("ghes-3.18", "ghes-3.18"),
  "ghes-3.19": ghes("ghes-3.19", "ghes-3.19"),
  // @octokit/openapi 23.0.2 (the newest) has no 3.20 description: 3.20 is checked against 3.19's,
  // the newest it has; what 3.20 is known to refuse (return_run_details) is encoded above.
  "ghes-3.20": ghes("ghes-3.20", "ghes-3.19"),
};

export function serverProfile(name: ServerProfileName | undefined): ServerProfile {
  const p = SERVER_PROFILES[name ?? "github.com"];
  if (!p) throw new Error(`twin: unknown server profile ${String(name)} (known: ${Object.keys(SERVER_PROFILES).join(", ")})`);
  return p;
}
