/** The README pictures' renderer (scripts/pictures/render.ts): markdown as GitHub shows it, and the board view. */
import { describe, expect, it } from "vitest";
import { renderBoard, renderHtml } from "../../scripts/pictures/render.js";

describe("the README pictures", () => {
  it("render task lists as boxes, Mermaid blocks for Mermaid, and keep hidden comments hidden", () => {
    const html = renderHtml("- [ ] #3\n- [x] #4\n\n```mermaid\nflowchart TD\n  a --> b\n```\n<!-- mission-bot:m-1:dashboard -->\n", "Dashboard <b>");
    expect(html).toContain('<li class="task-list-item"><input type="checkbox" disabled> #3');
    expect(html).toContain('<input type="checkbox" disabled checked> #4');
    expect(html).toContain('<pre class="mermaid">flowchart TD\n  a --&gt; b\n</pre>');
    expect(html).toContain("<title>Dashboard &lt;b&gt;</title>");
  });

  it("draw the board's columns in order with their cards, escaped", () => {
    const html = renderBoard("CRM", ["Waiting", "Done"], [
      { status: "Done", title: "<img src=x>", number: 3, fields: { Kind: "Feature" } },
      { status: "Waiting", title: "Deals", number: 4, fields: {} },
    ]);
    expect(html.indexOf("Waiting")).toBeLessThan(html.indexOf("Done"));
    expect(html).toContain("#3 &lt;img src=x&gt;");
    expect(html).not.toContain("<img src=x>");
  });
});
