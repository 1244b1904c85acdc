/**
 * Issue search for the twin's REST front door: the qualifiers the App's
 * pulse uses. https://docs.github.com/en/rest/search/search#search-issues-and-pull-requests
 */
import { issueJson } from "./serialize.js";
import { json, validationFailed, type Ctx, type Route, type TwinResponse } from "./respond.js";

/**
 * GET /search/issues with the qualifiers the bot uses: is:issue|is:pr,
 * is:open|is:closed (state:), label: and -label: ("Exclude results with a
 * label", docs "Searching issues and pull requests"), repo:, org:, user:,
 * in:comments with a quoted phrase, updated:>=DATE. Results are limited to repositories the
 * caller's installation can see, as GitHub limits an installation token.
 */
function searchIssues(c: Ctx): TwinResponse {
  const q = c.query.get("q") ?? "";
  if (!q.trim()) return validationFailed([{ resource: "Search", field: "q", code: "missing" }]);
  const terms: Array<{ phrase: string } | { word: string }> = [...q.matchAll(/"([^"]*)"|(\S+)/g)].map((m) =>
    m[1] !== undefined ? { phrase: m[1] } : { word: m[2]! },
  );
  const repos = [...c.twin.repos.values()].filter((r) => c.actor.kind !== "installation" || r.installationId === c.actor.installationId);
  let hits = repos.flatMap((r) => [...r.issues.values()]);
  for (const t of terms) {
    if ("phrase" in t) {
      const phrase = t.phrase.toLowerCase();
      const inComments = terms.some((x) => "word" in x && x.word === "in:comments");
      hits = hits.filter((i) =>
        inComments
          ? c.twin.commentsOn(i).some((x) => x.body.toLowerCase().includes(phrase))
          : `${i.title}\n${i.body ?? ""}`.toLowerCase().includes(phrase),
      );
      continue;
    }
    const [key, ...rest] = t.word.split(":");
    const value = rest.join(":").replace(/^"|"$/g, "");
    if (!rest.length) continue;
    switch (key) {
      case "is":
        if (value === "issue") hits = hits.filter((i) => !i.pull_request);
        else if (value === "pr") hits = hits.filter((i) => !!i.pull_request);
        else if (value === "open" || value === "closed") hits = hits.filter((i) => i.state === value);
        break;
      case "state":
        hits = hits.filter((i) => i.state === value);
        break;
      case "label":
        hits = hits.filter((i) => i.labels.includes(value.toLowerCase()));
        break;
      case "-label":
        hits = hits.filter((i) => !i.labels.includes(value.toLowerCase()));
        break;
      case "repo":
        hits = hits.filter((i) => i.repo.full_name.toLowerCase() === value.toLowerCase());
        break;
      case "org":
      case "user":
        hits = hits.filter((i) => i.repo.owner.login.toLowerCase() === value.toLowerCase());
        break;
      case "updated": {
        const m = /^(>=|>|<=|<)?(.+)$/.exec(value)!;
        const at = m[2]!;
        hits = hits.filter((i) => (m[1] === ">=" ? i.updated_at >= at : m[1] === ">" ? i.updated_at > at : m[1] === "<=" ? i.updated_at <= at : m[1] === "<" ? i.updated_at < at : i.updated_at.startsWith(at)));
        break;
      }
      case "in":
        break;
      default:
        break;
    }
  }
  hits.sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : b.number - a.number));
  const perPage = Math.min(100, Number(c.query.get("per_page") ?? 30) || 30);
  const page = Math.max(1, Number(c.query.get("page") ?? 1) || 1);
  const items = hits.slice((page - 1) * perPage, page * perPage).map((i) => ({
    ...issueJson(i, { urls: c.twin.urls, app: c.twin.app, issuesById: c.twin.issuesById, detail: false }),
    score: 1,
  }));
  return json(200, { total_count: hits.length, incomplete_results: false, search_type: "lexical", items });
}

export const SEARCH_ROUTES: ReadonlyArray<[string, Route]> = [[`GET /search/issues`, { auth: "token", handler: searchIssues }]];
