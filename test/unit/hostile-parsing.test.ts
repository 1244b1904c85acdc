/**
 * Trust boundary, point 8 (parsing): comments of GitHub's largest size
 * (65,536 characters) built to make a parser work hard — thousands of code
 * spans, unclosed fences, runs of spaces or `#`, one enormous word or
 * number — are parsed, and parsed right. The parsers are linear in the
 * text's length (one pass per line; no pattern that backtracks over a run);
 * bench/hostile.bench.ts prints what each shape costs. Nothing here measures
 * time: each input is checked for the answer it must get.
 */
import { describe, expect, it } from "vitest";
import { addressesBot, parseCommand } from "../../src/mission/conversation/commands.js";
import { parseAnswers } from "../../src/mission/conversation/interview.js";
import { parseOutline } from "../../src/mission/plan/outline.js";
import { decide } from "../../src/mission/conversation/conversation.js";
import { config, mission } from "../support/missions.js";

/** GitHub's limit for a comment or an issue body. */
const MAX = 65_536;

/** `prefix`, then `unit` repeated, then `suffix`: exactly MAX characters. */
function fill(prefix: string, unit: string, suffix = ""): string {
  const room = MAX - prefix.length - suffix.length;
  return prefix + unit.repeat(Math.ceil(room / unit.length)).slice(0, room) + suffix;
}

describe("hostile input costs little: a comment of 65,536 characters", () => {
  it("of backtick spans: the flags after them are read, the flags inside them are not", () => {
    const body = fill("/mission Build ", "`--budget $1` ", " --budget $5 --hours 2");
    expect(body).toHaveLength(MAX);
    const parsed = parseCommand(body);
    // the goal is far over its 10,000-character limit: one clear answer
    expect(parsed).toMatchObject({ ok: false, error: expect.stringMatching(/^the goal is [\d,]+ characters; the limit is 10,000/) });
    const short = parseCommand(`/mission Build ${"`--budget $1` ".repeat(500)}--budget $5 --hours 2`);
    expect(short).toMatchObject({ ok: true, command: { name: "start", flags: { usd: 5, hours: 2 } } });
  });

  it("of code spans on many lines, each with a flag inside", () => {
    const body = fill("/mission Build it\n", "`--tokens 1M` and `--mode poc`\n");
    const parsed = parseCommand(body);
    expect(parsed.ok).toBe(false); // too long a goal, not a flag error
    expect(parsed.ok === false && parsed.error).toMatch(/^the goal is/);
  });

  it("of one backtick run, or one word", () => {
    expect(parseCommand(fill("/mission Build ", "`")).ok).toBe(false);
    expect(parseCommand(fill("/mission ", "a")).ok).toBe(false);
    expect(parseCommand(fill("/mission approve ", "a"))).toMatchObject({ ok: false, error: expect.stringMatching(/^"a{59}…" is not an outcome level/) });
  });

  it("of an unknown flag that is one long word: named, shortened, no guess", () => {
    const parsed = parseCommand(fill("/mission Build --", "x"));
    expect(parsed).toMatchObject({ ok: false, error: expect.stringMatching(/^unknown flag --x{39}…\. The flags are/) });
  });

  it("of a number too long to be an amount", () => {
    expect(parseCommand(fill("/mission Build it --hours ", "9"))).toMatchObject({ ok: false, error: expect.stringMatching(/too large to be an amount of time/) });
    expect(parseCommand(fill("/mission budget +$", "9"))).toMatchObject({ ok: false, error: expect.stringMatching(/too large to be an amount of money/) });
    expect(parseCommand(fill("/mission budget ", "+ "))).toMatchObject({ ok: false });
  });

  it("that does not address the bot, whatever it holds", () => {
    expect(addressesBot(fill("", " "))).toBe(false);
    expect(parseCommand(fill("", "\n"))).toEqual({ ok: "none" });
    expect(parseCommand(fill("> /mission ", "`"))).toEqual({ ok: "none" });
  });
});

describe("hostile input costs little: an answer of 65,536 characters", () => {
  it("with a key, a run of spaces and no colon: one line that cannot be read", () => {
    const { answers, problems } = parseAnswers(fill("mode", " ", "poc"));
    expect(answers).toEqual({});
    expect(problems).toEqual(['I could not read "mode…": write one answer per line as `key: value`, e.g. `mode: poc`.']);
  });

  it("of unclosed fences: no block, and nothing read", () => {
    const { answers, problems } = parseAnswers(fill("", "```a\n", "\nmode: poc"));
    expect(answers).toEqual({ mode: "poc" });
    expect(problems.length).toBeLessThanOrEqual(1); // the unit cut short before the answer, if any
  });

  it("of fences with one closed at the end: the first fence that closes wins", () => {
    const { answers } = parseAnswers(`${"~~~x\n".repeat(10_000)}\`\`\`\nmode: poc\n\`\`\`\n`);
    expect(answers).toEqual({ mode: "poc" });
  });

  it("of thousands of lines it cannot use: an answer GitHub accepts, naming the first of them and counting the rest", () => {
    const text = fill("", "colour: blue\n");
    const step = decide({ command: { name: "answer", text }, mission: mission(), author: "alice", now: "2026-11-24T09:00:00Z", repo: "octo/crm", issue: { number: 7, title: "CRM" }, config });
    expect(step).toMatchObject({ kind: "reply", reply: expect.stringMatching(/- … and 5,022 more like these\./) });
    expect(step.kind === "reply" && step.mission).toBeFalsy(); // nothing understood, nothing changed
    expect(step.kind === "reply" && step.reply.length).toBeLessThan(MAX);
  });

  it("of a key, many colons and one value: read as that key's value", () => {
    const { problems } = parseAnswers(fill("mode: ", " :"));
    expect(problems).toEqual([expect.stringMatching(/^mode: /)]);
  });
});

describe("hostile input costs little: an outline of 65,536 characters", () => {
  it("with a heading that is mostly spaces, or mostly #: read, and a title too long is refused with a reason", () => {
    const spaces = parseOutline(fill("## Contacts", " ", "x\n- [ ] a\n- [ ] b"));
    expect(spaces.problems).toContain("The title of milestone 1 is longer than 200 characters; shorten it.");
    expect(spaces.plan?.milestones[0]?.title).toMatch(/^Contacts {100}/);
    expect(parseOutline(fill("## Contacts ", "#", "\n- [ ] a\n- [ ] b")).plan?.milestones[0]?.title).toBe("Contacts");
  });

  it("of thousands of milestones: refused with their count, no plan built", () => {
    const { plan, problems } = parseOutline(fill("", "## M\n- [ ] a\n  b\n"));
    expect(plan).toBeUndefined();
    expect(problems).toEqual(["The outline has 3,855 milestones; a mission needs 3 to 7. Merge milestones or move some to a later mission."]);
  });

  it("with a feature title that is mostly spaces before a size tag", () => {
    const outline = fill("## Contacts\n- [ ] Contact model", " ", "(S)\n- [ ] b");
    const f = parseOutline(outline).plan?.milestones[0]?.features[0];
    expect(f?.size).toBe("S");
    expect(f?.title).toBe("Contact model");
  });
});
