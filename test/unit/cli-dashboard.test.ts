/** `mission-bot dashboard --repo`: one repository's dashboard on 127.0.0.1, read with a token, no sign-in. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.js";
import { serveLocalDashboard, type LocalDashboard } from "../../src/cli/dashboard.js";
import { startTwinServer, type TwinServer } from "../../src/twin/server.js";
import { renderMissionFile } from "../../src/mission/markdown/mission-file.js";
import { missionPath } from "../../src/mission/model.js";
import { contractTwin } from "../support/twin.js";
import { testClock, testMissionId } from "../support/clock.js";
import { answered, plan, STATE_BRANCH } from "../support/missions.js";

const clock = testClock();
const mission = answered({ id: testMissionId("crm", 7), title: "Build a <CRM>", repo: "acme/crm", created: new Date(clock.start).toISOString(), status: "active", plan: plan([2]) });

describe("mission-bot dashboard", () => {
  let server: TwinServer;
  let served: LocalDashboard;

  beforeAll(async () => {
    const twin = contractTwin({ now: clock });
    twin.addRepo({ owner: "acme", name: "crm", ownerType: "Organization", private: true, collaborators: { alice: "read" } });
    twin.createBranch(STATE_BRANCH, { repo: "acme/crm", orphan: true });
    twin.writeFile(missionPath(mission.id), renderMissionFile(mission), { repo: "acme/crm", branch: STATE_BRANCH });
    server = await startTwinServer(twin);
    served = await serveLocalDashboard({ repo: { owner: "acme", repo: "crm" }, token: twin.userToken("alice"), port: 0, apiUrl: server.apiUrl, serverUrl: server.url });
  });

  afterAll(async () => {
    await served?.close();
    await server?.close();
  });

  it("serves the repository's missions on loopback, without sign-in, with the strict CSP", async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dashboard\/$/);
    const res = await fetch(served.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const page = await res.text();
    expect(page).toContain("Build a &lt;CRM&gt;");
    expect(page).not.toContain("Sign in with GitHub");
    const one = await fetch(`${served.url}m/acme/crm/${mission.id}`);
    expect(one.status).toBe(200);
    expect(await one.text()).toContain('id="burn"');
    const data = (await (await fetch(`${served.url}data/m/acme/crm/${mission.id}.json`)).json()) as { chart: { totals: { budget: number } } };
    expect(data.chart.totals.budget).toBe(500);
  });

  it("says what is missing: the repository (exit 2), a token (exit 1)", async () => {
    const out: string[] = [];
    const io = { cwd: process.cwd(), stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), env: {} };
    expect(await runCli(["dashboard"], io)).toBe(2);
    expect(out.join("")).toContain("--repo owner/name is required");
    expect(await runCli(["dashboard", "--repo", "acme/crm"], io)).toBe(1);
    expect(out.join("")).toContain("set GITHUB_TOKEN (or --token)");
  });
});
