/** The sandbox's terminal view: GitHub markdown as plain text, and the dashboard region. */
import { describe, expect, it } from "vitest";
import { dashboardMarkers } from "../../src/mission/markdown/dashboard.js";
import { dashboardRegion, plainText } from "../../src/sandbox/terminal.js";

describe("plainText", () => {
  it("drops hidden content, unwraps HTML and links, aligns tables", () => {
    const md = [
      "<!-- mission-bot:m-1:comment:plan -->",
      "## Mission plan: CRM",
      "",
      "**Status:** active · see [the file](https://github.com/o/r/blob/HEAD/todo/missions/m-1/mission.md)",
      "",
      "<details><summary>Why</summary>",
      "",
      "Because.",
      "</details>",
      "",
      "| name | cost |",
      "| --- | --: |",
      "| 1.1 Contact model | $1.20 |",
      "",
      "",
      "",
      "> [!WARNING]",
      "> careful",
      "<!-- mission-bot:state eyJ9 -->",
    ].join("\n");
    expect(plainText(md)).toBe(
      ["MISSION PLAN: CRM", "", "Status: active · see the file", "", "Why:", "", "Because.", "", "name               cost", "1.1 Contact model  $1.20", "", "> warning:", "> careful"].join("\n"),
    );
  });

  it("leaves fenced code blocks as they are: a # line inside one is code, not a heading", () => {
    const md = ["## Outline", "", "```markdown", "## Contacts", "- [ ] Contact model", "| a | b |", "```", "", "## After"].join("\n");
    expect(plainText(md)).toBe(["OUTLINE", "", "## Contacts", "- [ ] Contact model", "| a | b |", "", "AFTER"].join("\n"));
  });

  it("an unterminated comment hides the rest, as on GitHub", () => {
    expect(plainText("shown <!-- hidden\nstill hidden")).toBe("shown");
  });
});

describe("dashboardRegion", () => {
  it("is the text between the mission's dashboard markers, or undefined", () => {
    const { start, end } = dashboardMarkers("m-20260101-x-1");
    expect(dashboardRegion(`intro\n${start}\n## 🚀 X\n${end}\nuser text`, "m-20260101-x-1")).toBe("\n## 🚀 X\n");
    expect(dashboardRegion(`${start}\n## 🚀 X\n${end}`, "m-20260101-y-1")).toBeUndefined();
    expect(dashboardRegion(null, "m-20260101-x-1")).toBeUndefined();
  });
});
