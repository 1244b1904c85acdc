import { createPrivateKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { issueCommentCreated, issueIdFor, issuesClosed, issuesLabeled, issuesOpened, legacyNodeId, webhookExample } from "./fixtures.js";
import { testPrivateKey } from "./keys.js";

describe("webhookExample", () => {
  it("returns a deep copy of a recorded payload", () => {
    const a = webhookExample<{ action: string; issue: { number: number } }>("issues", "opened");
    a.issue.number = 999;
    expect(webhookExample<{ issue: { number: number } }>("issues", "opened").issue.number).toBe(1);
    expect(a.action).toBe("opened");
  });
  it("says what exists when asked for something that does not", () => {
    expect(() => webhookExample("issues", "closed")).toThrow(/no recorded example #0 of issues.closed .*actions with examples: .*opened/);
    expect(() => webhookExample("nope")).toThrow(/no recorded webhook examples for event 'nope'/);
  });
});

describe("builders edit recorded payloads consistently", () => {
  const repo = { owner: "acme", name: "crm" };

  it("issue_comment.created", () => {
    const p = issueCommentCreated({ body: "/mission approve", login: "alice", issueNumber: 7, repo, commentId: 555, installationId: 42, labels: ["mission"] });
    expect(p.action).toBe("created");
    expect(p.repository.full_name).toBe("acme/crm");
    expect(p.repository.name).toBe("crm");
    expect(p.repository.owner.login).toBe("acme");
    expect(p.repository.html_url).toBe("https://github.com/acme/crm");
    expect(p.issue.number).toBe(7);
    expect(p.issue.id).toBe(issueIdFor(repo, 7));
    expect(p.issue.url).toBe("https://api.github.com/repos/acme/crm/issues/7");
    expect(p.issue.labels?.map((l) => l.name)).toEqual(["mission"]);
    expect(p.comment.id).toBe(555);
    expect(p.comment.body).toBe("/mission approve");
    expect(p.comment.user?.login).toBe("alice");
    expect(p.comment.user?.type).toBe("User");
    expect(p.comment.user?.url).toBe("https://api.github.com/users/alice");
    expect(p.comment.html_url).toBe("https://github.com/acme/crm/issues/7#issuecomment-555");
    expect(p.comment.issue_url).toBe(p.issue.url);
    expect(p.sender).toEqual(p.comment.user);
    expect(p.installation?.id).toBe(42);
    expect(p.installation?.node_id).toBe(legacyNodeId("IntegrationInstallation", 42));
    expect("organization" in p).toBe(false);
    // no stale references to the recorded repository, issue or comment remain
    const text = JSON.stringify(p);
    expect(text).not.toMatch(/Hello-World|issues\/1[^0-9]|492700400/);
  });

  it("a bot commenter", () => {
    const p = issueCommentCreated({ body: "done", login: "mission-bot[bot]", userType: "Bot", issueNumber: 3 });
    expect(p.comment.user?.type).toBe("Bot");
    expect(p.sender.type).toBe("Bot");
    expect(p.sender.login).toBe("mission-bot[bot]");
    expect(p.repository.full_name).toBe("Codertocat/Hello-World");
  });

  it("issues.opened / labeled / closed", () => {
    const o = issuesOpened({ login: "bob", issueNumber: 12, issueTitle: "Feature 1.2", issueBody: "<!-- m -->", repo });
    expect([o.action, o.issue.state, o.issue.title, o.issue.body, o.issue.user?.login, o.sender.login]).toEqual(["opened", "open", "Feature 1.2", "<!-- m -->", "bob", "bob"]);
    expect("changes" in o).toBe(false);

    const l = issuesLabeled({ login: "bob", issueNumber: 12, label: "mission:approved", labels: ["mission"], repo });
    expect(l.label?.name).toBe("mission:approved");
    expect(l.issue.labels?.map((x) => x.name)).toEqual(["mission", "mission:approved"]);
    expect(l.label?.url).toBe("https://api.github.com/repos/acme/crm/labels/mission%3Aapproved");

    const c = issuesClosed({ login: "bob", issueNumber: 12, repo, stateReason: "not_planned" });
    expect([c.action, c.issue.state, c.issue.state_reason]).toEqual(["closed", "closed", "not_planned"]);
    expect(c.issue.closed_at).toEqual(expect.any(String));
    expect(c.installation?.id).toBe(1);
  });

  it("an organization-owned repository", () => {
    const p = issuesOpened({ login: "bob", issueNumber: 1, repo: { owner: "octo-org", name: "app" }, ownerType: "Organization" });
    expect(p.repository.owner.type).toBe("Organization");
    expect(p.organization?.login).toBe("octo-org");
    expect(p.organization?.url).toBe("https://api.github.com/orgs/octo-org");
  });
});

describe("testPrivateKey", () => {
  it("is a 2048-bit RSA key, PKCS#1 by default (as GitHub issues them), cached", () => {
    const pem = testPrivateKey();
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(testPrivateKey()).toBe(pem);
    expect(createPrivateKey(pem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(testPrivateKey("pkcs8")).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});
