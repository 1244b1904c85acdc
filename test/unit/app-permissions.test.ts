/**
 * The App's permissions (app.yml) agree with what every workflow template
 * asks the App's token for: GitHub refuses, with 422, a token asked for a
 * permission the App was not granted, and the job that asked fails. And the
 * App is subscribed only to events it handles.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { appNeeds, appTokenRequests, ungranted } from "../../src/cli/needs.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const templates = readdirSync(new URL("templates/workflows/", root)).map((f) => ({ path: `templates/workflows/${f}`, text: read(`templates/workflows/${f}`) }));
const app = appNeeds(read("app.yml"));

describe("the App's permissions", () => {
  const requests = appTokenRequests(templates);

  it("are read from every template that mints an App token", () => {
    expect([...new Set(requests.map((r) => r.workflow))].sort()).toEqual([
      "templates/workflows/mission-command.yml",
      "templates/workflows/mission-pulse.yml",
      "templates/workflows/mission-worker.yml",
    ]);
    // the worker asks for pull requests in Full mode only, by an expression: taken at its highest
    expect(requests).toContainEqual({ workflow: "templates/workflows/mission-worker.yml", job: "apply", permission: "pull_requests", access: "write" });
  });

  it("grant everything a template asks the App's token for", () => {
    expect(ungranted(requests, app)).toEqual([]);
  });

  it("grant nothing beyond what the templates ask for, metadata (which every token has), and the Project board (the App server's own writes); secrets is asked by the command workflow (hand-overs)", () => {
    const asked = new Set(requests.map((r) => r.permission));
    expect(app.permissions.map((p) => p.name).filter((name) => !asked.has(name))).toEqual(["metadata", "organization_projects"]);
    expect(app.permissions.map((p) => p.name)).not.toContain("workflows");
  });

  it("would notice a template asking for more than the App has", () => {
    const worker = templates.find((t) => t.path.endsWith("mission-worker.yml"))!;
    const greedy = worker.text.replace("permission-contents: write", "permission-contents: write\n          permission-workflows: write");
    expect(ungranted(appTokenRequests([{ path: "w.yml", text: greedy }]), app)).toEqual([{ workflow: "w.yml", job: "apply", permission: "workflows", access: "write" }]);
    const below = { ...app, permissions: app.permissions.map((p) => (p.name === "pull_requests" ? { ...p, access: "read" } : p)) };
    expect(ungranted(requests, below).map((r) => `${r.permission}: ${r.access}`)).toEqual(["pull_requests: write"]);
  });
});

describe("the App's events", () => {
  it("are the ones the App handles, and nothing that only costs deliveries", () => {
    const events = (parse(read("app.yml")) as { default_events: string[] }).default_events;
    expect(events).toEqual(["issue_comment", "issues", "workflow_run"]);
    // every delivery goes through the router (src/loop/route.ts), which names each event it turns into a job
    const handled = new Set([...read("src/loop/route.ts").matchAll(/^\s+case "([a-z_]+)":/gm)].map((m) => m[1]!));
    expect([...handled].sort()).toEqual([...events].sort());
  });
});
