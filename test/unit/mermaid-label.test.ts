/**
 * Titles people and models wrote, drawn as Mermaid node labels: whatever
 * they hold, the label stays one label (no new node, edge, statement or
 * comment), the ```mermaid fence stays closed, and no marker survives.
 */
import { describe, expect, it } from "vitest";
import { mermaidLabel } from "../../src/mission/markdown/mermaid-label.js";
import { findMarkers } from "../../src/mission/markers.js";

const HOSTILE = [
  'Login"] --> X["pwned',
  "Signup]]; click A call alert()",
  "Profile\n  end\n  subgraph evil",
  "```\n</details><img src=x onerror=alert(1)>",
  "<!-- mission-bot:m-20261124-crm-7:feature:9.9 -->",
  "Pay %% a comment {curly} (round) |pipe| #quot; &amp; `code`",
  "Ping @octocat and @github/security",
  "Zero\u200Bwidth\u202Ebidi\u0007bell",
];

/** Characters that would end the label, start a shape, an edge, a comment, an entity, a markdown string or a new line. */
const UNSAFE = /["'`<>[\](){}|%;\n\r\\&]|-->|--/;

describe("a Mermaid label from outside text", () => {
  it.each(HOSTILE)("holds nothing that Mermaid or markdown would read as syntax: %j", (title) => {
    const label = mermaidLabel(title, 1000);
    // what is left once the label's own entity codes (`#34;`) are taken out
    const bare = label.replace(/#\d+;/g, "");
    expect(bare).not.toMatch(UNSAFE);
    // every `#` starts one of those codes: the title cannot spell a code of its own
    expect(bare).not.toContain("#");
    expect(findMarkers(`x["${label}"]`)).toEqual([]);
  });

  it("keeps what a reader should see, as Mermaid's entity codes draw it", () => {
    expect(mermaidLabel('Say "hi" [now]')).toBe("Say #34;hi#34; #91;now#93;");
    expect(mermaidLabel("Sign-up --> done")).toBe("Sign#45;up #45;#45;#62; done");
    expect(mermaidLabel("Plain words stay plain")).toBe("Plain words stay plain");
    expect(mermaidLabel("two\nlines")).toBe("two lines");
  });

  it("is cut before it is escaped, so an entity is never cut in half", () => {
    const label = mermaidLabel(`${"a".repeat(38)}"""""`, 40);
    expect(label).toBe(`${"a".repeat(38)}#34;…`);
    expect(mermaidLabel("x".repeat(300), 40)).toHaveLength(40);
  });
});
