import { describe, expect, it } from "vitest";
import { COMMENT_MAX_CHARS, CUT_NOTE, fitComment } from "../../src/mission/markdown/fit.js";
import { repliedTo, noticesIn } from "../../src/mission/markers.js";

describe("fitComment", () => {
  it("leaves a comment that fits as it is", () => {
    expect(fitComment("hello\n\n<!-- mission-bot:reply:12 -->")).toBe("hello\n\n<!-- mission-bot:reply:12 -->");
  });

  it("cuts a longer one at a line, says so, and keeps its markers whole", () => {
    const body = `${Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join("\n")}\n\n<!-- mission-bot:reply:12 -->\n<!-- mission-bot:once:plan -->`;
    const fitted = fitComment(body);
    expect(fitted.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
    expect(fitted).toContain(CUT_NOTE);
    expect(repliedTo(fitted)).toEqual([12]);
    expect(noticesIn(fitted)).toEqual(["plan"]);
    expect(fitted.split(CUT_NOTE)[0]!.trimEnd()).toMatch(/\nline \d+$/);
  });
});
