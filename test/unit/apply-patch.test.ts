/**
 * A worker's patch from the agent's working tree to the pushed branch,
 * with real git repositories in temporary directories: an origin, the
 * agent's checkout (where collectPatch makes the patch) and the apply job's
 * checkout (where applyAndPush applies, commits and pushes it). Every
 * hostile patch is refused before anything is staged or pushed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyAndPush, PatchRefused, type ApplyRequest } from "../../src/worker/apply.js";
import { collectPatch } from "../../src/worker/patch.js";
import { takeRequestsFile } from "../../src/action/shared/requests-file.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ENV = {
  PATH: process.env.PATH ?? "",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
};

function sh(cwd: string, script: string): string {
  const r = spawnSync("bash", ["-e", "-c", script], { cwd, env: { ...ENV, HOME: cwd }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${script}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const MISSION = "m-20261124-crm";

/** origin with main; the agent's checkout of it; the apply job's checkout; the patch path. */
function setup() {
  const root = mkdtempSync(join(tmpdir(), "mission-apply-test-"));
  dirs.push(root);
  sh(
    root,
    [
      "git init -q -b main seed && cd seed",
      "mkdir -p .github/workflows src todo/missions/" + MISSION,
      "echo 'on: push' > .github/workflows/ci.yml",
      "echo 'export {}' > src/app.ts",
      "echo '---' > todo/missions/" + MISSION + "/mission.md",
      "git add -A && git commit -qm base",
      "cd .. && git clone -q --bare seed origin.git && git clone -q origin.git agent && git clone -q origin.git checkout",
    ].join("\n"),
  );
  const base = sh(join(root, "agent"), "git rev-parse HEAD").trim();
  return { root, base, agent: join(root, "agent"), checkout: join(root, "checkout"), origin: join(root, "origin.git"), patch: join(root, "feature.patch") };
}

type Setup = ReturnType<typeof setup>;

/** The agent changes its working tree; the worker collects the patch. */
async function agentDoes(s: Setup, script: string): Promise<void> {
  sh(s.agent, script);
  await collectPatch(s.agent, s.base, s.patch, join(s.root, "collect.index"));
}

function request(s: Setup, overrides: Partial<ApplyRequest> = {}): ApplyRequest {
  return {
    repo: s.checkout,
    patchFile: s.patch,
    mission: MISSION,
    feature: "2.3",
    issue: 31,
    mode: "poc",
    branch: `mission/${MISSION}`,
    baseSha: s.base,
    runUrl: "https://github.com/acme/crm/actions/runs/4242",
    sleep: async () => undefined,
    ...overrides,
  };
}

const branchesOf = (s: Setup) => sh(s.origin, "git for-each-ref --format='%(refname)' refs/heads/").trim().split("\n");

async function refusedWith(s: Setup): Promise<string[]> {
  const error = await applyAndPush(request(s)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PatchRefused);
  // nothing pushed, nothing staged
  expect(branchesOf(s)).toEqual(["refs/heads/main"]);
  expect(sh(s.checkout, "git diff --cached --name-only")).toBe("");
  return (error as PatchRefused).reasons;
}

describe("collecting the agent's work", () => {
  it("takes edits, commits and new files, not ignored files, without touching the checkout's index", async () => {
    const s = setup();
    await agentDoes(s, "echo 'export const a = 1' > src/app.ts && echo new > src/new.ts && echo 'dist/' > .gitignore && mkdir dist && echo x > dist/out.js");
    const patch = readFileSync(s.patch, "utf8");
    expect(patch).toContain("diff --git a/src/app.ts b/src/app.ts");
    expect(patch).toContain("diff --git a/src/new.ts b/src/new.ts");
    expect(patch).not.toContain("dist/out.js");
    expect(sh(s.agent, "git diff --cached --name-only")).toBe("");
  });

  it("hands the agent's requests file to the report job, never in the patch; a link of that name is only removed", async () => {
    const s = setup();
    const out = join(s.root, "out");
    sh(s.root, "mkdir out");
    sh(s.agent, `echo 'export const x = 1' > src/app.ts && echo '[{"kind":"email"}]' > mission-requests.json`);
    expect(takeRequestsFile(s.agent, out)).toBe(true);
    await agentDoes(s, "true");
    expect(readFileSync(join(out, "mission-requests.json"), "utf8")).toBe('[{"kind":"email"}]\n');
    const patch = readFileSync(s.patch, "utf8");
    expect(patch).toContain("src/app.ts");
    expect(patch).not.toContain("mission-requests.json");

    rmSync(join(out, "mission-requests.json"));
    sh(s.agent, "ln -s /etc/hostname mission-requests.json");
    expect(takeRequestsFile(s.agent, out)).toBe(false);
    await agentDoes(s, "true");
    expect(existsSync(join(out, "mission-requests.json"))).toBe(false);
    expect(readFileSync(s.patch, "utf8")).not.toContain("mission-requests.json");
  });

  it("writes a rename as a delete and an add", async () => {
    const s = setup();
    await agentDoes(s, "git mv src/app.ts src/main.ts");
    const patch = readFileSync(s.patch, "utf8");
    expect(patch).toContain("deleted file mode 100644");
    expect(patch).not.toContain("rename from");
  });
});

describe("applying the worker's patch", () => {
  it("POC: commits the patch on the mission branch and pushes it", async () => {
    const s = setup();
    await agentDoes(s, "echo 'export const contacts = []' > src/contacts.ts");
    const pushed = await applyAndPush(request(s));
    expect(pushed).toEqual({ branch: `mission/${MISSION}`, commit: sh(s.origin, `git rev-parse refs/heads/mission/${MISSION}`).trim(), missionFolder: false });
    expect(sh(s.origin, `git log -1 --format=%s%n%b mission/${MISSION}`).trim()).toBe(
      `Mission ${MISSION}: feature 2.3 (#31)\nWorker run: https://github.com/acme/crm/actions/runs/4242`,
    );
    expect(sh(s.origin, `git show mission/${MISSION}:src/contacts.ts`)).toBe("export const contacts = []\n");
  });

  it("says whether the commit changed the mission folder (the report carries it; the bot lists the folder only then)", async () => {
    const s = setup();
    await agentDoes(s, `mkdir -p todo/missions/${MISSION}/research && printf -- '---\\ntitle: Keys\\n---\\nUse test keys.\\n' > todo/missions/${MISSION}/research/keys.md && echo x > src/x.ts`);
    expect((await applyAndPush(request(s))).missionFolder).toBe(true);
  });

  it("POC: adds to the mission branch when another worker got there first", async () => {
    const s = setup();
    await agentDoes(s, "echo deals > src/deals.ts");
    sh(s.root, `git clone -q origin.git other && cd other && git checkout -qb mission/${MISSION} && echo contacts > src/contacts.ts && git add -A && git commit -qm other && git push -q origin mission/${MISSION}`);
    await applyAndPush(request(s));
    expect(sh(s.origin, `git ls-tree --name-only mission/${MISSION} src/`).trim().split("\n")).toEqual(["src/app.ts", "src/contacts.ts", "src/deals.ts"]);
  });

  it("Full: pushes the feature's own branch", async () => {
    const s = setup();
    await agentDoes(s, "echo ok > src/ok.ts");
    const pushed = await applyAndPush(request(s, { mode: "full", branch: `mission/${MISSION}/2.3` }));
    expect(pushed.branch).toBe(`mission/${MISSION}/2.3`);
    expect(branchesOf(s)).toEqual(["refs/heads/main", `refs/heads/mission/${MISSION}/2.3`]);
  });

  it.each([
    ["a branch other than the mission's", { branch: "main" }, `a poc worker pushes only to mission/${MISSION}, not main`],
    ["another feature's branch in Full mode", { mode: "full" as const, branch: `mission/${MISSION}/2.4` }, `a full worker pushes only to mission/${MISSION}/2.3`],
    ["a base that is not a commit", { baseSha: "main" }, "the agent job gave no base commit"],
  ])("refuses %s", async (_, overrides, message) => {
    const s = setup();
    await agentDoes(s, "echo ok > src/ok.ts");
    await expect(applyAndPush(request(s, overrides))).rejects.toThrow(message);
    expect(branchesOf(s)).toEqual(["refs/heads/main"]);
  });

  it("refuses an empty patch", async () => {
    const s = setup();
    await agentDoes(s, "true");
    await expect(applyAndPush(request(s))).rejects.toThrow("the agent job left no patch");
  });
});

describe("a patch cannot smuggle", () => {
  it("refuses a change to a workflow", async () => {
    const s = setup();
    await agentDoes(s, "echo 'on: workflow_dispatch' > .github/workflows/ci.yml && echo ok > src/ok.ts");
    expect(await refusedWith(s)).toEqual([".github/workflows/ci.yml: a worker never changes .github/ (workflows, actions and the bot's settings)"]);
  });

  it("refuses a new file under .github/, whatever its case", async () => {
    const s = setup();
    await agentDoes(s, "mkdir -p .GitHub/workflows && echo 'on: push' > .GitHub/workflows/evil.yml");
    expect(await refusedWith(s)).toEqual([".GitHub/workflows/evil.yml: a worker never changes .github/ (workflows, actions and the bot's settings)"]);
  });

  it("refuses a rename out of .github/", async () => {
    const s = setup();
    await agentDoes(s, "git mv .github/workflows/ci.yml ci.yml");
    expect(await refusedWith(s)).toEqual([".github/workflows/ci.yml: a worker never changes .github/ (workflows, actions and the bot's settings)"]);
  });

  it("refuses a gitlink (a submodule's commit)", async () => {
    const s = setup();
    await agentDoes(s, "mkdir -p vendor/lib && cd vendor/lib && git init -q && echo x > x && git add x && git commit -qm x");
    expect(await refusedWith(s)).toEqual(["vendor/lib: a submodule (gitlink); a worker never adds submodules"]);
  });

  it("refuses .gitmodules", async () => {
    const s = setup();
    await agentDoes(s, `printf '[submodule "lib"]\\n\\tpath = lib\\n\\turl = https://evil.example/lib.git\\n' > .gitmodules`);
    expect(await refusedWith(s)).toEqual([".gitmodules: a worker never changes submodules"]);
  });

  it("refuses an absolute symbolic link", async () => {
    const s = setup();
    await agentDoes(s, "ln -s /etc/passwd src/passwd");
    expect(await refusedWith(s)).toEqual(['src/passwd: a symbolic link to "/etc/passwd", outside the repository']);
  });

  it("refuses a symbolic link that climbs out of the repository", async () => {
    const s = setup();
    await agentDoes(s, "ln -s ../../../home/runner/.ssh src/keys");
    expect(await refusedWith(s)).toEqual(['src/keys: a symbolic link to "../../../home/runner/.ssh", outside the repository']);
  });

  it("refuses a symbolic link into .git", async () => {
    const s = setup();
    await agentDoes(s, "ln -s ../.git/config src/config");
    expect(await refusedWith(s)).toEqual(['src/config: a symbolic link to "../.git/config", into .git']);
  });

  it.each([
    [".gitattributes", "filter", "* filter=lfs"],
    ["src/.gitattributes", "diff", "*.ts diff=evil"],
    [".gitattributes", "merge", "[attr]innocent merge=evil\n*.md innocent"],
  ])("refuses %s naming a %s driver", async (path, driver, text) => {
    const s = setup();
    await agentDoes(s, `printf '%s\\n' '${text.replace(/\n/g, "' '")}' > ${path}`);
    expect(await refusedWith(s)).toEqual([
      `${path}: sets ${driver}=, which makes git run a program; a worker's .gitattributes may not name filter, merge or diff drivers`,
    ]);
  });

  it("refuses a change to the mission's state file", async () => {
    const s = setup();
    await agentDoes(s, `echo 'status: completed' >> todo/missions/${MISSION}/mission.md`);
    expect(await refusedWith(s)).toEqual([`todo/missions/${MISSION}/mission.md: the mission's state file is the bot's; a worker never writes it`]);
  });

  it("names every refused path at once", async () => {
    const s = setup();
    await agentDoes(s, "echo x >> .github/workflows/ci.yml && ln -s /etc src/etc && touch .gitmodules");
    expect((await refusedWith(s)).map((r) => r.split(":")[0])).toEqual([".github/workflows/ci.yml", ".gitmodules", "src/etc"]);
  });

  it("accepts what is ordinary: attributes without drivers, a symbolic link inside the repository", async () => {
    const s = setup();
    await agentDoes(s, "printf '*.png binary\\n*.sh text eol=lf\\n*.min.js -diff\\n' > .gitattributes && mkdir -p docs/v2 && echo hi > docs/v2/index.md && ln -s v2/index.md docs/latest.md");
    await applyAndPush(request(s));
    expect(sh(s.origin, `git ls-tree -r --name-only mission/${MISSION}`).trim().split("\n")).toEqual(
      expect.arrayContaining([".gitattributes", "docs/latest.md", "docs/v2/index.md"]),
    );
  });
});
