/**
 * A file of the repository's default branch as the contents API answers it
 * (no `ref`: the default branch), for Action modes that read their settings
 * from there. `null`: the file does not exist (404).
 *
 *   defaultBranchFile(gh, "/repos/acme/crm", ".github/mission.yml", "worker:\n  image: x\n");
 */
import type { GitHubNock } from "./github-nock.js";

export function defaultBranchFile(gh: GitHubNock, repo: string, path: string, text: string | null): void {
  const scope = gh.api.get(`${repo}/contents/${path.replaceAll("/", "%2F")}`);
  if (text === null) {
    scope.reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    return;
  }
  const url = `https://api.github.com${repo}/contents/${path}`;
  const html = `https://github.com${repo.replace(/^\/repos/, "")}/blob/main/${path}`;
  const git = `https://api.github.com${repo}/git/blobs/abc123`;
  scope.reply(200, {
    type: "file",
    encoding: "base64",
    size: Buffer.byteLength(text),
    name: path.split("/").pop(),
    path,
    content: Buffer.from(text).toString("base64"),
    sha: "abc123",
    url,
    git_url: git,
    html_url: html,
    download_url: `https://raw.githubusercontent.com${repo.replace(/^\/repos/, "")}/main/${path}`,
    _links: { git, html, self: url },
  });
}
