import { describe, expect, it } from "vitest";
import {
  parseHours,
  parseIncrement,
  parseIncrements,
  parseMode,
  parseMoney,
  parseTokens,
  type Parsed,
} from "../../src/mission/conversation/quantities.js";

function value<T>(r: Parsed<T>): T {
  if (!r.ok) throw new Error(`expected a value, got: ${r.error}`);
  return r.value;
}

function error<T>(r: Parsed<T>): string {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
}

describe("money for a mission budget", () => {
  it.each([
    ["$200", 200],
    ["200", 200],
    ["200 USD", 200],
    ["200usd", 200],
    ["$1,500", 1500],
    ["$12.50", 12.5],
    [" $ 20 ", 20],
    ["$2k", 2000],
  ])("reads %j as %d dollars", (text, dollars) => {
    expect(value(parseMoney(text))).toBe(dollars);
  });

  it.each(["uncapped", "Unlimited", "none", "no limit"])("reads %j as uncapped", (text) => {
    expect(value(parseMoney(text))).toBeNull();
  });

  it.each(["-5", "$-5", "0", "$0.00"])("refuses %j: a budget must be more than zero", (text) => {
    const e = error(parseMoney(text));
    expect(e).toContain(`"${text}"`);
    expect(e).toContain("more than zero");
    expect(e).toContain("$200");
  });

  it.each(["lots", "$", "1,50", "$12.50.3", "200 EUR"])("refuses %j and shows the accepted forms", (text) => {
    const e = error(parseMoney(text));
    expect(e).toContain(`"${text}"`);
    expect(e).toContain("$200, 200 USD");
    expect(e).toContain("uncapped");
  });
});

describe("hours for a mission budget", () => {
  it.each([
    ["40", 40],
    ["40h", 40],
    ["40 hours", 40],
    ["1.5h", 1.5],
    ["90 min", 1.5],
    ["1 day", 8],
    ["3 days", 24],
    ["1 week", 40],
    ["2 weeks", 80],
    ["2+ weeks", 80],
  ])("reads %j as %d hours", (text, hours) => {
    expect(value(parseHours(text))).toBe(hours);
  });

  it("reads uncapped as no limit", () => {
    expect(value(parseHours("uncapped"))).toBeNull();
  });

  it.each(["soon", "1 month", "-3h", "0h"])("refuses %j and shows the accepted forms", (text) => {
    const e = error(parseHours(text));
    expect(e).toContain(`"${text}"`);
    expect(e).toContain("1 week");
  });
});

describe("tokens for a mission budget", () => {
  it.each([
    ["5M", 5_000_000],
    ["5m", 5_000_000],
    ["500k", 500_000],
    ["2,000,000", 2_000_000],
    ["1.5M tokens", 1_500_000],
    ["1.0000005m", 1_000_001],
  ])("reads %j as %d tokens", (text, tokens) => {
    expect(value(parseTokens(text))).toBe(tokens);
  });

  it("reads uncapped as no limit", () => {
    expect(value(parseTokens("uncapped"))).toBeNull();
  });

  it("refuses a fraction of a token", () => {
    expect(error(parseTokens("1.5"))).toContain("whole number of tokens");
  });

  it.each(["many", "5 G", "0", "-1M"])("refuses %j and shows the accepted forms", (text) => {
    const e = error(parseTokens(text));
    expect(e).toContain(`"${text}"`);
    expect(e).toContain("5M, 500k");
  });
});

describe("mission mode", () => {
  it.each([
    ["poc", "poc"],
    ["POC", "poc"],
    ["proof of concept", "poc"],
    ["Proof-of-concept", "poc"],
    ["full", "full"],
    ["production", "full"],
  ])("reads %j as %s", (text, mode) => {
    expect(value(parseMode(text))).toBe(mode);
  });

  it("refuses an unknown mode and names both modes", () => {
    const e = error(parseMode("quick"));
    expect(e).toContain('"quick"');
    expect(e).toContain("poc");
    expect(e).toContain("full");
  });
});

describe("budget increases", () => {
  it.each([
    ["+$100", { kind: "usd", amount: 100 }],
    ["+100 USD", { kind: "usd", amount: 100 }],
    ["+10h", { kind: "hours", amount: 10 }],
    ["+1 day", { kind: "hours", amount: 8 }],
    ["+2M tokens", { kind: "tokens", amount: 2_000_000 }],
    ["+2M", { kind: "tokens", amount: 2_000_000 }],
    ["+500k", { kind: "tokens", amount: 500_000 }],
  ])("reads %j", (text, increment) => {
    expect(value(parseIncrement(text))).toEqual(increment);
  });

  it("requires the + in front", () => {
    const e = error(parseIncrement("$100"));
    expect(e).toContain('"$100"');
    expect(e).toContain("needs a +");
  });

  it("refuses a bare number that does not say what it adds", () => {
    expect(error(parseIncrement("+100"))).toContain("does not say what to add");
  });

  it("refuses uncapped and zero as increases", () => {
    expect(error(parseIncrement("+uncapped"))).toContain('"+uncapped"');
    expect(error(parseIncrement("+$0"))).toContain("more than zero");
  });

  it("reads several increases, words after a + belonging to it", () => {
    expect(value(parseIncrements("+$100 +10h +2M tokens"))).toEqual({ usd: 100, hours: 10, tokens: 2_000_000 });
    expect(value(parseIncrements("+ $50 +1 week"))).toEqual({ usd: 50, hours: 40 });
  });

  it("refuses the same kind of increase twice", () => {
    const e = error(parseIncrements("+$100 +$50"));
    expect(e).toContain('"+$100" and "+$50"');
    expect(e).toContain("at most once");
  });
});
