import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CONFIG_REFERENCE_END,
  CONFIG_REFERENCE_START,
  configReferenceIn,
  configReferenceRows,
  renderConfigReference,
  typeName,
  withConfigReference,
} from "../../src/mission/config-docs.js";
import { Config } from "../../src/mission/model.js";
import { COSTS_END, COSTS_START, renderCostTable, withCostTable } from "../../src/mission/cost-docs.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const rows = configReferenceRows();
const row = (key: string) => rows.find((r) => r.key === key);

describe("the configuration reference", () => {
  it("in the README is the one the schema gives (npm run docs regenerates it)", () => {
    const section = configReferenceIn(readme);
    expect(section, "the README has no configuration reference markers").not.toBeNull();
    if (section !== renderConfigReference()) expect.fail("the README's configuration reference is out of date: run npm run docs");
  });

  it("lists every key of the schema, nested ones included, each described", () => {
    for (const key of Object.keys(Config.shape)) expect(row(key), key).toBeDefined();
    for (const key of ["models.worker", "budget.per_run.max_turns", "validation.browser.url", "validation.commands[].rerun", "prices.<name>.output"]) {
      expect(row(key), key).toBeDefined();
    }
    const undescribed = rows.filter((r) => !r.description).map((r) => r.key);
    expect(undescribed, "describe these in src/mission/model.ts with .describe()").toEqual([]);
  });

  it("gives each key the default the schema applies", () => {
    const defaults = Config.parse({}) as Record<string, unknown>;
    const at = (key: string) => key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], defaults);
    expect(row("max_parallel_workers")?.default).toBe("`2`");
    expect(row("models.planner")?.default).toBe(`\`${String(at("models.planner"))}\``); // from the parent's default
    expect(row("budget.per_run.timeout_minutes")?.default).toBe(`\`${String(at("budget.per_run.timeout_minutes"))}\``);
    expect(row("budget.alerts")?.default).toBe("`[0.5, 0.8, 1]`");
    expect(row("validation.browser.paths")?.default).toBe('`["/"]`');
    expect(row("state_branch")?.default).toBe("`mission-bot/state`");
    for (const r of rows) {
      if (!r.default || r.key.includes("[]") || r.key.includes("<name>") || r.key.startsWith("validation.browser.") || r.key.startsWith("email.") || r.key.startsWith("spending.cards.")) continue; // optional sections: their defaults apply once they are set
      const value = at(r.key);
      expect(value, r.key).toBeDefined();
      if (typeof value !== "object") expect(r.default, r.key).toBe(`\`${String(value)}\``);
    }
  });

  it("says types in words, with their bounds", () => {
    expect(row("max_parallel_workers")?.type).toBe("integer 1–20");
    expect(row("budget.hard_stop")?.type).toBe("`finish` or `cancel`");
    expect(row("budget.alerts")?.type).toBe("list of number > 0, ≤ 2");
    expect(row("validation.browser.url")?.type).toBe("URL");
    expect(row("runner_prices.per_minute")?.type).toBe("map of name → number ≥ 0");
    expect(typeName({ type: "string", minLength: 1 })).toBe("string, not empty");
    expect(typeName({ type: "array", items: { type: "string" }, minItems: 1 })).toBe("list of string, at least 1");
    // a table cell never breaks the table
    expect(renderConfigReference().split("\n").filter((l) => l.startsWith("| `")).every((l) => l.replace(/\\\|/g, "").split("|").length === 6)).toBe(true);
  });

  it("replaces only what is between the markers", () => {
    const doc = `# Title\n\nbefore\n${CONFIG_REFERENCE_START}\nold text\n${CONFIG_REFERENCE_END}\nafter\n`;
    const updated = withConfigReference(doc);
    expect(updated.startsWith(`# Title\n\nbefore\n${CONFIG_REFERENCE_START}\n`)).toBe(true);
    expect(updated.endsWith(`${CONFIG_REFERENCE_END}\nafter\n`)).toBe(true);
    expect(configReferenceIn(updated)).toBe(renderConfigReference());
    expect(withConfigReference(updated)).toBe(updated);
    expect(() => withConfigReference("# no markers\n")).toThrow(/config-reference:start/);
    expect(configReferenceIn("# no markers\n")).toBeNull();
  });
});

describe("the cost table", () => {
  it("in the README is the one the budget code gives with the default settings (npm run docs regenerates it)", () => {
    if (withCostTable(readme) !== readme) expect.fail("the README's cost table is out of date: run npm run docs");
    const table = renderCostTable();
    expect(table).toMatch(/^\| medium \(M\) \| \$\d+\.\d\d \(/m);
    expect(table).toContain("every 15 minutes: 96 runs a day, about 2,880 billed minutes a month");
    expect(() => withCostTable("# none\n")).toThrow(COSTS_START);
    expect(withCostTable(`${COSTS_START}\nold\n${COSTS_END}`)).toBe(`${COSTS_START}\n${table}${COSTS_END}`);
  });

  it("follows the prices: a dearer standard tier raises production-ready", () => {
    const dearer = Config.parse({ prices: { ...Config.parse({}).prices, "claude-sonnet-5-5": { input: 20, output: 100 } } });
    expect(renderCostTable(dearer)).not.toBe(renderCostTable());
  });
});
