import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAgentUsage } from "../../src/mission/workers/agent-usage.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/agent/${name}`, import.meta.url), "utf8");

describe("Claude Code's usage", () => {
  it("reads --output-format json: cost, turns, duration, summary; tokens summed over every model, cache counted as input", () => {
    expect(parseAgentUsage(fixture("claude-json.json"))).toEqual({
      model: "claude-sonnet-5-5",
      // sonnet 1103 + 1,350,000 + 80,000; haiku 100 + 50,000 + 5,000
      tokens_in: 1_486_203,
      tokens_out: 21_500,
      cost_usd: 1.8234,
      turns: 37,
      duration_seconds: 754.3,
      summary: "Added the contacts list page with search and pagination.\nTests: npm test (42 passed).",
      is_error: false,
    });
  });

  it("reads the last result line of --output-format stream-json, the model from the init line, tokens from usage", () => {
    expect(parseAgentUsage(fixture("claude-stream.jsonl"))).toEqual({
      model: "claude-opus-5-5",
      tokens_in: 45_000,
      tokens_out: 1_500,
      cost_usd: 0.4321,
      turns: 4,
      duration_seconds: 120,
      summary: "Deal stages added.",
      is_error: false,
    });
  });

  it("takes the last result when a stream holds several, and ignores log lines around the JSON", () => {
    const first = JSON.stringify({ type: "result", total_cost_usd: 9, usage: { input_tokens: 9, output_tokens: 9 } });
    const last = JSON.stringify({ type: "result", total_cost_usd: 1, usage: { input_tokens: 1, output_tokens: 2 } });
    const usage = parseAgentUsage(`npm warn exec installing\n${first}\nsome log\n${last}\n`);
    expect(usage).toMatchObject({ tokens_in: 1, tokens_out: 2, cost_usd: 1 });
  });

  it("says the agent stopped on an error, names why when it gave no text, and drops the context-window tag from the model", () => {
    expect(parseAgentUsage(fixture("claude-max-turns.json"))).toEqual({
      model: "claude-opus-5",
      tokens_in: 940_012,
      tokens_out: 9_000,
      cost_usd: 2.5,
      turns: 51,
      duration_seconds: 300,
      summary: "Claude Code stopped: error_max_turns",
      is_error: true,
    });
  });

  it("reads the array --verbose json printed by older versions", () => {
    const text = JSON.stringify([
      { type: "system", subtype: "init", model: "claude-sonnet-4-5" },
      { type: "result", total_cost_usd: 0.1, usage: { input_tokens: 10, output_tokens: 20 }, num_turns: 1 },
    ]);
    expect(parseAgentUsage(text)).toEqual({ model: "claude-sonnet-4-5", tokens_in: 10, tokens_out: 20, cost_usd: 0.1, turns: 1 });
  });
});

describe("other agents, best effort", () => {
  it("reads Codex's turn.completed usage (cached input is already inside input_tokens) and its last message", () => {
    expect(parseAgentUsage(fixture("codex.jsonl"))).toEqual({
      tokens_in: 24_763,
      tokens_out: 122,
      turns: 1,
      summary: "Email sending is implemented behind a queue.",
      is_error: false,
    });
  });

  it("sums aider's per-message tokens and takes its session cost and main model", () => {
    expect(parseAgentUsage(fixture("aider.txt"))).toEqual({
      model: "anthropic/claude-sonnet-4-5",
      tokens_in: 26_250,
      tokens_out: 1_950,
      cost_usd: 0.12,
    });
  });
});

describe("garbage gives no usage", () => {
  it.each([
    ["empty output", ""],
    ["plain text", fixture("claude-text.txt")],
    ["JSON that is not a result", '{"type":"assistant","message":{}}'],
    ["a result without any figures", '{"type":"result","result":"done"}'],
    ["negative tokens", '{"type":"result","usage":{"input_tokens":-5,"output_tokens":1}}'],
    ["fractional tokens", '{"type":"result","usage":{"input_tokens":1.5,"output_tokens":1}}'],
    ["a cost that is a string", '{"type":"result","total_cost_usd":"1.20","usage":{"input_tokens":1,"output_tokens":1}}'],
    ["a negative cost", '{"type":"result","total_cost_usd":-1,"usage":{"input_tokens":1,"output_tokens":1}}'],
    ["truncated JSON", fixture("claude-json.json").slice(0, 200)],
    ["Codex usage that is not a number", '{"type":"turn.completed","usage":{"input_tokens":"many","output_tokens":1}}'],
  ])("%s", (_, text) => {
    expect(parseAgentUsage(text)).toBeUndefined();
  });
});
