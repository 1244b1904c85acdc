import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.js";
import { renderMissionFile } from "../../src/mission/markdown/mission-file.js";
import { LedgerEntry, missionPath, type Mission } from "../../src/mission/model.js";
import { answered, plan } from "../support/missions.js";

const ID = "m-20261124-crm-7";
let cwd: string;

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "mission-bot-cli-"));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(cwd, path)), { recursive: true });
  await writeFile(join(cwd, path), text);
}

function mission(overrides: Partial<Mission> = {}): Mission {
  return answered({
    status: "active",
    plan: plan([2]),
    ledger: [
      LedgerEntry.parse({ key: "run-1-1", kind: "worker", feature: "1.1", tokens_in: 1000, tokens_out: 100, cost_micros: 12_340_000, wall_seconds: 900, at: "2026-11-24T10:00:00Z" }),
    ],
    ...overrides,
  });
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    cwd,
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    now: () => "2026-11-24T14:00:00Z",
  });
  return { code, out, err };
}

describe("mission-bot budget", () => {
  it("prints the budget summary of a mission given by id", async () => {
    await write(missionPath(ID), renderMissionFile(mission()));
    const r = await cli("budget", ID);
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(r.out).toContain(`### Budget of \`${ID}\``);
    expect(r.out).toContain("| Money | $500.00 | $12.34 | $487.66 | 2% |");
    expect(r.out).toContain("run-1-1");
  });

  it("reads a mission given by path, and the settings and history of its repository", async () => {
    await write(missionPath(ID), renderMissionFile(mission()));
    const old = mission({
      id: "m-20261101-old-1",
      status: "completed",
      ledger: ["1.1", "1.2"].map((feature, i) =>
        LedgerEntry.parse({ key: `run-${i + 5}-1`, kind: "worker", feature, tokens_in: 400_000, tokens_out: 100_000, cost_micros: 3_000_000, wall_seconds: 3600, at: "2026-11-01T10:00:00Z" }),
      ),
    });
    await write(missionPath(old.id), renderMissionFile(old));
    await write("todo/missions/broken/mission.md", "not a mission");
    await write(".github/mission.yml", "runner_prices:\n  runner: linux\n  per_minute: { linux: 0 }\n");
    const r = await cli("budget", `./todo/missions/${ID}/`);
    expect(r.code).toBe(0);
    // 1.1 of this mission has no finished run; both features of the completed mission count
    expect(r.out).toContain("learned from 2 finished features (S: 0, M: 2, L: 0)");
  });

  it("exits 1 with a clear message when the mission file is missing", async () => {
    const r = await cli("budget", ID);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`mission-bot budget: no mission file at todo/missions/${ID}/mission.md (looked for mission ${ID} under ${cwd}).\n`);
    expect(r.out).toBe("");
  });

  it("exits 1 naming the problems of an invalid mission file or settings", async () => {
    await write(missionPath(ID), "---\nid: nope\n---\n");
    const bad = await cli("budget", ID);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/is not a valid mission file:\n {2}- id: a mission id looks like/);

    await write(missionPath(ID), renderMissionFile(mission()));
    await write(".github/mission.yml", "output_share: 3\n");
    const settings = await cli("budget", ID);
    expect(settings.code).toBe(1);
    expect(settings.err).toContain(".github/mission.yml: output_share:");
  });

  it("exits 2 on a wrong command line, and explains itself on --help", async () => {
    expect((await cli("budget")).code).toBe(2);
    expect((await cli("budget", ID, "--verbose")).code).toBe(2);
    const unknown = await cli("spend");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('"spend" is not a command');
    expect(unknown.err).toContain("budget");
    expect((await cli()).code).toBe(2);
    const help = await cli("budget", "--help");
    expect(help).toMatchObject({ code: 0, err: "" });
    expect(help.out).toMatch(/^Usage: mission-bot budget <mission-id \| path to mission.md>/);
    expect((await cli("--help")).out).toContain("print a mission's budget");
  });
});
