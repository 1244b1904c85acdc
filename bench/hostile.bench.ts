/**
 * `npm run bench`: what a hostile comment costs the parsers (issue 11, point
 * 8). Each shape is text built to make a parser work hard — code spans,
 * unclosed fences, runs of spaces or `#`, one enormous word or number — at
 * GitHub's largest comment (65,536 characters), then at 2, 4 and 8 times
 * that: a parser linear in the text's length takes about twice as long for
 * twice the text. Figures only; test/unit/hostile-parsing.test.ts
 * checks what each shape must be answered, never how fast.
 *
 * Prints one table and writes it to its block of bench/RESULTS.md.
 */
import { describe, it } from "vitest";
import { addressesBot, parseCommand } from "../src/mission/conversation/commands.js";
import { parseAnswers } from "../src/mission/conversation/interview.js";
import { parseOutline } from "../src/mission/plan/outline.js";
import { section, table, writeResults } from "./support.js";

/** GitHub's limit for a comment or an issue body. */
const MAX = 65_536;
const SIZES = [MAX, 2 * MAX, 4 * MAX, 8 * MAX];

/** `prefix`, then `unit` repeated, then `suffix`: exactly `n` characters. */
function fill(n: number, prefix: string, unit: string, suffix = ""): string {
  const room = n - prefix.length - suffix.length;
  return prefix + unit.repeat(Math.ceil(room / unit.length)).slice(0, room) + suffix;
}

type Shape = [parser: string, shape: string, make: (n: number) => string, parse: (text: string) => unknown];

const SHAPES: Shape[] = [
  ["command", "backtick spans with flags inside", (n) => fill(n, "/mission Build ", "`--budget $1` ", " --budget $5"), parseCommand],
  ["command", "code spans on many lines", (n) => fill(n, "/mission Build it\n", "`--tokens 1M` and `--mode poc`\n"), parseCommand],
  ["command", "one backtick run", (n) => fill(n, "/mission Build ", "`"), parseCommand],
  ["command", "one word", (n) => fill(n, "/mission ", "a"), parseCommand],
  ["command", "an unknown flag that is one word", (n) => fill(n, "/mission Build --", "x"), parseCommand],
  ["command", "--hours and one number", (n) => fill(n, "/mission Build it --hours ", "9"), parseCommand],
  ["command", "budget +$ and one number", (n) => fill(n, "/mission budget +$", "9"), parseCommand],
  ["command", "budget and + + + …", (n) => fill(n, "/mission budget ", "+ "), parseCommand],
  ["command", "a flag given again and again", (n) => fill(n, "/mission Build ", "--mode "), parseCommand],
  ["command", "a flag and a run of values", (n) => fill(n, "/mission Build --hours ", "1 "), parseCommand],
  ["command", "unclosed fences", (n) => fill(n, "/mission Build\n", "```\n"), parseCommand],
  ["command", "a run of spaces", (n) => fill(n, "/mission Build", " ", "x"), parseCommand],
  ["command", "quoted /mission, then backticks", (n) => fill(n, "> /mission ", "`"), parseCommand],
  ["command", "newlines only", (n) => fill(n, "", "\n"), parseCommand],
  ["address", "spaces only", (n) => fill(n, "", " "), addressesBot],
  ["answer", "a key, a run of spaces, no colon", (n) => fill(n, "mode", " ", "poc"), parseAnswers],
  ["answer", "unclosed fences", (n) => fill(n, "", "```a\n", "\nmode: poc"), parseAnswers],
  ["answer", "a key and many colons", (n) => fill(n, "mode: ", " :"), parseAnswers],
  ["answer", "thousands of unknown keys", (n) => fill(n, "", "a:\n"), parseAnswers],
  ["answer", "open flow collections", (n) => fill(n, "", "[{"), parseAnswers],
  ["answer", "usd: and one number", (n) => fill(n, "usd: ", "9"), parseAnswers],
  ["outline", "a heading of spaces", (n) => fill(n, "## Contacts", " ", "x\n- [ ] a\n- [ ] b"), parseOutline],
  ["outline", "a heading of #", (n) => fill(n, "## Contacts ", "#", "\n- [ ] a\n- [ ] b"), parseOutline],
  ["outline", "spaces before a size tag", (n) => fill(n, "## Contacts\n- [ ] Contact model", " ", "(S)\n- [ ] b"), parseOutline],
  ["outline", "thousands of milestones", (n) => fill(n, "", "## a\n- [ ] b\n  c\n"), parseOutline],
  ["outline", "thousands of detail lines", (n) => fill(n, "## a\n- [ ] b\n", "  Depends on: 1.1\n"), parseOutline],
  ["outline", "blank lines", (n) => fill(n, "## a\n- [ ] b\n", "\n"), parseOutline],
];

/** `global.gc` when node runs with --expose-gc (bench/vitest.config.ts asks for it). */
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** Median milliseconds of one parse, after a warm-up, each parse after a garbage collection. */
function cost(parse: (text: string) => unknown, text: string): number {
  for (let i = 0; i < 3; i++) parse(text);
  const times: number[] = [];
  for (let i = 0; i < 11; i++) {
    collect();
    const start = performance.now();
    parse(text);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[5]!;
}

const ms = (t: number) => (t < 10 ? t.toFixed(2) : t.toFixed(1));
const ratio = (a: number, b: number) => (b / Math.max(a, 0.01)).toFixed(1);

describe("hostile input", () => {
  it("what each hostile shape costs the parsers, at 64K, 128K, 256K and 512K characters", () => {
    const rows = SHAPES.map(([parser, shape, make, parse]) => {
      const [t64, t128, t256, t512] = SIZES.map((n) => cost(parse, make(n))) as [number, number, number, number];
      return [parser, shape, ms(t64), ms(t128), ratio(t64, t128), ms(t256), ms(t512), ratio(t256, t512)];
    });
    const body = table(["parser", "shape", "64K ms", "128K ms", "128K/64K", "256K ms", "512K ms", "512K/256K"], rows);
    const notes = [
      "Median of 11 parses after 3 warm-ups, each after a garbage collection, in one process. A ratio near 2 is linear; a parser that backtracked over a run would show 4.",
      "Below 1 ms, the ratios are noise. Strings over 128 KiB live in V8's large-object space, which can make the 64K→128K step look worse than it is; 512K/256K, with both sizes there, is the fairer reading.",
      "Comments are at most 65,536 characters on GitHub: the larger sizes are for the ratio only.",
    ];
    const text = section("Hostile input (parsers, issue 11 point 8)", body, notes);
    console.log(`\n${text}`);
    writeResults("hostile", [text]);
  });
});
