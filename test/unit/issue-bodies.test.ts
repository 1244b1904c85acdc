import { describe, expect, it } from "vitest";
import { featureBody, milestoneBody, ISSUE_BODY_MAX_CHARS } from "../../src/mission/markdown/issues.js";
import { findMarkers } from "../../src/mission/markers.js";
import { answered, plan } from "../support/missions.js";
import type { Feature } from "../../src/mission/model.js";

const m = answered({ status: "active", plan: plan([2, 2, 2]) });
const ms = m.plan!.milestones[0]!;

function feature(over: Partial<Feature>): Feature {
  return { ...ms.features[0]!, ...over };
}

describe("issue bodies", () => {
  it("put the description first, then the acceptance criteria, then context and the markers", () => {
    const body = featureBody(m, ms, feature({ description: "Store people.", acceptance: ["lists 50 per page"] }));
    expect(body.indexOf("Store people.")).toBeLessThan(body.indexOf("- [ ] lists 50 per page"));
    expect(body.indexOf("- [ ] lists 50 per page")).toBeLessThan(body.indexOf("### Context"));
    expect(findMarkers(body).map((x) => x.kind)).toEqual(["feature", "tracking"]);
    expect(body).not.toMatch(/cut to fit/);
  });

  it("stay under GitHub's 65,536 characters: criteria are left out from the end, with a note, the description and markers kept", () => {
    const description = "d".repeat(20_000);
    const acceptance = Array.from({ length: 60 }, (_, i) => `${i + 1} ${"c".repeat(950)}`);
    const body = featureBody(m, ms, feature({ description, acceptance }));
    expect(body.length).toBeLessThanOrEqual(ISSUE_BODY_MAX_CHARS);
    expect(body).toContain(description);
    expect(body).toContain(`- [ ] 1 `);
    expect(body).not.toContain(`- [ ] 60 `);
    expect(body).toMatch(/\d+ of the 60 acceptance criteria are left out to fit GitHub's 65,536-character limit; the whole text is in `todo\/missions\/m-20261124-crm-7\/mission.md`/);
    expect(findMarkers(body).map((x) => x.kind)).toEqual(["feature", "tracking"]);
  });

  it("cut a description that alone is too long (text the bot was handed, never trusted to be short)", () => {
    const body = featureBody(m, ms, feature({ description: "x".repeat(100_000), acceptance: ["a"] }));
    expect(body.length).toBeLessThanOrEqual(ISSUE_BODY_MAX_CHARS);
    expect(body).toMatch(/The description is shortened and 1 of the 1 acceptance criteria are left out to fit GitHub's 65,536-character limit/);
    expect(findMarkers(body).map((x) => x.kind)).toEqual(["feature", "tracking"]);
  });

  it("list the milestone's features, or their issues as a task list once they exist", () => {
    expect(milestoneBody(m, ms)).toContain("- 1.1 Feature 1.1 (M)");
    const body = milestoneBody(m, ms, new Map([["1.1", 12], ["1.2", 13]]));
    expect(body).toContain("### Features\n\n- [ ] #12\n- [ ] #13\n");
    expect(findMarkers(body).map((x) => x.kind)).toEqual(["milestone", "tracking"]);
  });
});
