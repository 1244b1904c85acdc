/**
 * GitHub's recorded webhook deliveries (`@octokit/webhooks-examples`,
 * api.github.com/index.json): the twin shapes every event it records from
 * one of them, edited, never invented.
 *
 * The examples file is an array of `{ name, actions, examples[] }`; it is read
 * once per process (4 MB, ~30 ms) and every call returns a deep copy.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface WebhookDefinition {
  name: string;
  actions: string[];
  examples: Json[];
}

const require = createRequire(import.meta.url);
export const EXAMPLES_PATH: string = require.resolve("@octokit/webhooks-examples/api.github.com/index.json");

let definitions: Map<string, WebhookDefinition> | undefined;

function loadDefinitions(): Map<string, WebhookDefinition> {
  if (!definitions) {
    const list = JSON.parse(readFileSync(EXAMPLES_PATH, "utf8")) as WebhookDefinition[];
    definitions = new Map(list.map((d) => [d.name, d]));
  }
  return definitions;
}

/** Event names that have recorded examples. */
export function webhookExampleEvents(): string[] {
  return [...loadDefinitions().keys()];
}

/** The recorded examples of one event (not copies: read, do not edit). */
export function webhookExamplesOf(event: string): readonly Json[] {
  return loadDefinitions().get(event)?.examples ?? [];
}

/**
 * A deep copy of a recorded payload: the `index`-th example of `event`
 * (optionally only among those with `action`). Throws, listing what exists,
 * if there is no such example.
 */
export function webhookExample<T = Json>(event: string, action?: string, index = 0): T {
  const def = loadDefinitions().get(event);
  if (!def) throw new Error(`no recorded webhook examples for event '${event}'`);
  const pool = action === undefined ? def.examples : def.examples.filter((e) => e.action === action);
  const example = pool[index];
  if (!example) {
    const have = [...new Set(def.examples.map((e) => String(e.action)))].join(", ");
    throw new Error(
      `no recorded example #${index} of ${event}${action ? `.${action}` : ""} (${pool.length} recorded; actions with examples: ${have})`,
    );
  }
  return structuredClone(example) as T;
}
