/**
 * An error from GitHub said so a person can act on it: which request GitHub
 * answered how, and the likely cause. "GitHub answered 404 for GET
 * repos/me/demo/issues/7: is the App installed on me/demo, and does the
 * token reach it?" instead of Octokit's bare "Not Found".
 */
interface RequestErrorLike {
  status: number;
  message: string;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | number | undefined> };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return typeof error === "object" && error !== null && "status" in error && typeof (error as { status: unknown }).status === "number";
}

/** `repos/me/demo/issues/7` from `https://api.github.com/repos/me/demo/issues/7?per_page=100`. */
function routeOf(url: string | undefined): string {
  if (!url) return "a request";
  try {
    const path = new URL(url).pathname.replace(/^\/api\/v3\//, "/");
    return path.replace(/^\//, "");
  } catch {
    return url;
  }
}

function likelyCause(error: RequestErrorLike, route: string): string {
  const repo = /^repos\/([^/]+\/[^/]+)/.exec(route)?.[1];
  const remaining = error.response?.headers?.["x-ratelimit-remaining"];
  if (error.status === 401) return "the token is not valid (expired, revoked, or the App's key does not match its id)";
  if ((error.status === 403 || error.status === 429) && (String(remaining) === "0" || /rate limit/i.test(error.message))) {
    return "a rate limit: the next run tries again after it resets";
  }
  if (error.status === 403 && /not accessible by integration/i.test(error.message)) {
    return "the token lacks a permission this step needs: check the workflow's `permissions:` block, or the App's permissions";
  }
  if (error.status === 403) return `GitHub refused: ${error.message}`;
  if (error.status === 404) {
    return repo ? `is the App installed on ${repo}, and does the token reach it? (GitHub answers 404, not 403, for what a token cannot see)` : "it does not exist, or the token cannot see it";
  }
  if (error.status === 409) return `a conflict: ${error.message} (another writer changed it first; the next run tries again)`;
  if (error.status === 422) return `GitHub refused what was sent: ${error.message}`;
  if (error.status >= 500) return "GitHub had a problem answering; the next run tries again";
  return error.message;
}

/** One line for a failed step or a log. Anything that is not GitHub's answer keeps its own message. */
export function explainError(error: unknown): string {
  if (!isRequestError(error)) return error instanceof Error ? error.message : String(error);
  const route = routeOf(error.request?.url);
  const method = error.request?.method ? `${error.request.method} ` : "";
  return `GitHub answered ${error.status} for ${method}${route}: ${likelyCause(error, route)}`;
}
