/**
 * What a repository still needs after `mission-bot init`, read from the
 * files themselves so the advice cannot drift: the secrets the workflows
 * use, the App's permissions and events from app.yml, and the permissions
 * the workflows ask the App's token for (actions/create-github-app-token's
 * `permission-*` inputs), which the App must be granted: GitHub refuses a
 * token with a permission the App lacks (422), and the job fails.
 */
import { parse as parseYaml, parseDocument } from "yaml";

interface SecretNote {
  optional: boolean;
  what: string;
}

const SECRET_NOTES: Record<string, SecretNote> = {
  ANTHROPIC_API_KEY: {
    optional: false,
    what: "the model key: the workers' metering proxy holds it (the agent never sees it) and the planner uses it",
  },
  MISSION_BOT_CLIENT_ID: {
    optional: true,
    what: "the mission-bot App's client ID (its settings page); with MISSION_BOT_PRIVATE_KEY, workers and the pulse act as the App: their pushes and pull requests then start your CI, which GITHUB_TOKEN's do not (docs/worker-security.md says what then runs on the agents' code)",
  },
  MISSION_BOT_PRIVATE_KEY: { optional: true, what: "the mission-bot App's private key (the whole .pem)" },
};

/** Every `secrets.NAME` the workflows use, GITHUB_TOKEN aside, sorted with the required ones first. */
export function secretsUsed(workflows: string[]): { name: string; optional: boolean; what: string }[] {
  const names = new Set(workflows.flatMap((text) => [...text.matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!)));
  names.delete("GITHUB_TOKEN");
  return [...names]
    .map((name) => ({ name, ...(SECRET_NOTES[name] ?? { optional: false, what: "used by the workflows" }) }))
    .sort((a, b) => Number(a.optional) - Number(b.optional) || a.name.localeCompare(b.name));
}

export interface AppNeeds {
  permissions: { name: string; access: string; why: string }[];
  events: { name: string; why: string }[];
}

/** default_permissions and default_events of app.yml, with the comment beside each. */
export function appNeeds(appYml: string): AppNeeds {
  const doc = parseDocument(appYml);
  const permissions: AppNeeds["permissions"] = [];
  const events: AppNeeds["events"] = [];
  const perms = doc.get("default_permissions") as { items?: { key: { value: string }; value: { value: string; comment?: string } }[] } | undefined;
  for (const item of perms?.items ?? []) {
    permissions.push({ name: String(item.key.value), access: String(item.value.value), why: item.value.comment?.trim() ?? "" });
  }
  const evs = doc.get("default_events") as { items?: { value: string; comment?: string }[] } | undefined;
  for (const item of evs?.items ?? []) events.push({ name: String(item.value), why: item.comment?.trim() ?? "" });
  return { permissions, events };
}

export const LEVEL: Record<string, number> = { read: 1, write: 2, admin: 3 };

export interface TokenRequest {
  /** the workflow file, e.g. .github/workflows/mission-worker.yml */
  workflow: string;
  job: string;
  /** as app.yml names it: pull_requests, contents, … */
  permission: string;
  access: string;
}

/**
 * The permissions each workflow asks the App's token for. A value that is an
 * expression (`${{ inputs.mode == 'full' && 'write' || '' }}`) is taken at
 * the highest level it can give.
 */
export function appTokenRequests(workflows: readonly { path: string; text: string }[]): TokenRequest[] {
  const requests: TokenRequest[] = [];
  for (const w of workflows) {
    let parsed: unknown;
    try {
      parsed = parseYaml(w.text);
    } catch {
      continue;
    }
    const jobs = ((parsed as { jobs?: Record<string, { steps?: unknown[] }> } | null)?.jobs ?? {}) as Record<string, { steps?: unknown[] }>;
    for (const [job, spec] of Object.entries(jobs)) {
      for (const step of spec?.steps ?? []) {
        const s = step as { uses?: unknown; with?: Record<string, unknown> } | null;
        if (typeof s?.uses !== "string" || !s.uses.startsWith("actions/create-github-app-token@")) continue;
        for (const [input, value] of Object.entries(s.with ?? {})) {
          if (!input.startsWith("permission-")) continue;
          const levels = [...String(value).matchAll(/\b(read|write|admin)\b/g)].map((m) => m[1]!);
          const access = levels.sort((a, b) => LEVEL[b]! - LEVEL[a]!)[0];
          if (access) requests.push({ workflow: w.path, job, permission: input.slice("permission-".length).replaceAll("-", "_"), access });
        }
      }
    }
  }
  return requests;
}

/** Requests the App is not granted (or granted at a lower level) in app.yml: each would make GitHub refuse the token. */
export function ungranted(requests: readonly TokenRequest[], app: AppNeeds): TokenRequest[] {
  const granted = new Map(app.permissions.map((p) => [p.name, LEVEL[p.access] ?? 0]));
  return requests.filter((r) => (granted.get(r.permission) ?? 0) < (LEVEL[r.access] ?? 99));
}
