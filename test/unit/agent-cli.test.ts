/**
 * Trust boundary, point 5 (the agent CLI): the agent a worker runs is one
 * exact version of Claude Code, every package of it checked against the
 * integrity in agent-cli/package-lock.json, installed with `npm ci
 * --ignore-scripts` (no floating version, no install script). A fake `npm`
 * on PATH stands in for the registry.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { agentCliSource, installAgentCli } from "../../src/worker/agent-cli.js";

const CLI = "@anthropic-ai/claude-code";
const manifest = JSON.parse(readFileSync("agent-cli/package.json", "utf8")) as { dependencies: Record<string, string> };
const lock = JSON.parse(readFileSync("agent-cli/package-lock.json", "utf8")) as {
  lockfileVersion: number;
  packages: Record<string, { version?: string; integrity?: string; resolved?: string; dependencies?: Record<string, string> }>;
};

describe("the agent CLI", () => {
  it("is one exact version, the same in the manifest and the lockfile", () => {
    expect(Object.keys(manifest.dependencies)).toEqual([CLI]);
    const version = manifest.dependencies[CLI]!;
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(lock.packages[""]?.dependencies?.[CLI]).toBe(version);
    expect(lock.packages[`node_modules/${CLI}`]?.version).toBe(version);
  });

  it("has an integrity and an exact version for every package it installs", () => {
    const installed = Object.entries(lock.packages).filter(([path]) => path !== "");
    expect(installed.length).toBeGreaterThan(0);
    for (const [path, entry] of installed) {
      expect(entry.integrity, path).toMatch(/^sha512-[A-Za-z0-9+/]+=*$/);
      expect(entry.version, path).toMatch(/^\d+\.\d+\.\d+$/);
      if (entry.resolved !== undefined) expect(entry.resolved, path).toMatch(/^https:\/\/registry\.npmjs\.org\//);
    }
  });

  describe("installed", () => {
    const path = process.env.PATH;
    afterEach(() => {
      process.env.PATH = path;
    });

    it("by `npm ci --ignore-scripts` from this Action's lockfile, never by a floating `npx`", async () => {
      const bin = mkdtempSync(join(tmpdir(), "fake-npm-"));
      const log = join(bin, "calls.log");
      writeFileSync(join(bin, "npm"), `#!/bin/sh\necho "$PWD|$*" >> ${JSON.stringify(log)}\n`);
      chmodSync(join(bin, "npm"), 0o755);
      process.env.PATH = `${bin}:${path}`;
      const target = join(mkdtempSync(join(tmpdir(), "agent-cli-")), "cli");

      await installAgentCli(target);

      expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([`${target}|ci --ignore-scripts --no-audit --no-fund --omit=dev --loglevel=error`]);
      expect(readFileSync(join(target, "package-lock.json"), "utf8")).toBe(readFileSync(join(agentCliSource(), "package-lock.json"), "utf8"));
      expect(readFileSync(join(target, "package.json"), "utf8")).toBe(readFileSync(join(agentCliSource(), "package.json"), "utf8"));
    });
  });
});
