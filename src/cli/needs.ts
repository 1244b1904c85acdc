/**
 * What a repository still needs after `mission-bot init`, read from the
 * files themselves so the advice cannot drift: the secrets the workflows
 * use, and the App's permissions and events from app.yml.
 */
import { parseDocument } from "yaml";

interface SecretNote {
  optional: boolean;
  what: string;
}

const SECRET_NOTES: Record<string, SecretNote> = {
  ANTHROPIC_API_KEY: {
    optional: false,
    what: "the key of the worker's agent (Claude Code by default); with another worker.command, add the key that agent needs to the worker's \"Run the agent\" step instead",
  },
  MISSION_BOT_APP_ID: {
    optional: true,
    what: "with MISSION_BOT_PRIVATE_KEY, workers and the pulse act as the mission-bot App: their pushes and pull requests then start your CI, which GITHUB_TOKEN's do not",
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
