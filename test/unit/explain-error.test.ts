import { afterEach, describe, expect, it } from "vitest";
import { actionOctokit } from "../../src/action/context.js";
import { explainError } from "../../src/github/explain.js";
import { githubNock, type GitHubNock } from "../support/github-nock.js";

let gh: GitHubNock | undefined;
afterEach(() => gh?.restore());

/** What a failed Action step says when GitHub answers `status` to a real Octokit request. */
async function failure(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  gh = githubNock();
  gh.api.get("/repos/me/demo/issues/7").reply(status, { documentation_url: "https://docs.github.com", ...body }, headers);
  try {
    await actionOctokit("ghs_test").rest.issues.get({ owner: "me", repo: "demo", issue_number: 7 });
  } catch (error) {
    return explainError(error);
  }
  throw new Error("GitHub's refusal did not reach the caller");
}

describe("a failed Action step names GitHub's answer and the likely cause", () => {
  it("404: asks whether the App is installed on the repository", async () => {
    expect(await failure(404, { message: "Not Found" })).toBe(
      "GitHub answered 404 for GET repos/me/demo/issues/7: is the App installed on me/demo, and does the token reach it? (GitHub answers 404, not 403, for what a token cannot see)",
    );
  });

  it("403 from an integration: points at the workflow's permissions", async () => {
    expect(await failure(403, { message: "Resource not accessible by integration" })).toBe(
      "GitHub answered 403 for GET repos/me/demo/issues/7: the token lacks a permission this step needs: check the workflow's `permissions:` block, or the App's permissions",
    );
  });

  it("401: the token itself", async () => {
    expect(await failure(401, { message: "Bad credentials" })).toMatch(/^GitHub answered 401 for GET repos\/me\/demo\/issues\/7: the token is not valid/);
  });

  it("each server error is logged as it comes, though Octokit retries it without a word", async () => {
    gh = githubNock();
    gh.api.get("/repos/me/demo/issues/7").reply(502, { message: "Bad Gateway" });
    gh.api.get("/repos/me/demo/issues/7").reply(200, { id: 1, number: 7, title: "t", state: "open" });
    const octokit = actionOctokit("ghs_test");
    const warnings: string[] = [];
    octokit.log.warn = (message: string) => void warnings.push(message);
    const { data } = await octokit.rest.issues.get({ owner: "me", repo: "demo", issue_number: 7 });
    expect(data.number).toBe(7);
    expect(warnings).toEqual(["GitHub answered 502 for GET repos/me/demo/issues/7: Octokit tries a server error again, a few times, before the step fails"]);
  });

  it("an error that is not GitHub's answer keeps its own message", () => {
    expect(explainError(new Error("github-token is required"))).toBe("github-token is required");
    expect(explainError("plain")).toBe("plain");
  });
});
