/**
 * The twin's own route resolution, for a twin without a contract (the
 * sandbox): a request resolves to one of the routes the twin implements, as
 * GitHub's description would resolve it — decoded path segments, the most
 * specific template first (`/issues/comments/{comment_id}` before
 * `/issues/{issue_number}`), and a last `{path}` parameter (the contents API)
 * that may span several segments when the slashes are not encoded.
 * test/twin/route-table.test.ts checks that it agrees with the description for
 * every route the twin implements.
 */

type Segment = { literal: string } | { param: string };

interface Template {
  method: string;
  template: string;
  segments: Segment[];
}

/** Parameters GitHub lets span several path segments (x-multi-segment). */
const MULTI_SEGMENT = new Set(["path"]);
/** Refs in the git refs routes are documented as `heads/<branch>` (`/git/ref/heads/main`), slashes unencoded. */
const GIT_REF = /\/git\/(ref|refs|matching-refs)\/\{ref\}$/;

const compiled = new WeakMap<ReadonlyMap<string, unknown>, Template[]>();

function templates(routes: ReadonlyMap<string, unknown>): Template[] {
  let list = compiled.get(routes);
  if (!list) {
    list = [...routes.keys()].map((key) => {
      const space = key.indexOf(" ");
      const template = key.slice(space + 1);
      return {
        method: key.slice(0, space),
        template,
        segments: template
          .split("/")
          .slice(1)
          .map((s): Segment => {
            const m = /^\{([^}]+)\}$/.exec(s);
            return m ? { param: m[1]! } : { literal: s };
          }),
      };
    });
    compiled.set(routes, list);
  }
  return list;
}

function match(t: Template, segs: string[], multi: boolean): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < t.segments.length; i++) {
    const seg = t.segments[i]!;
    if ("literal" in seg) {
      if (segs[i] !== seg.literal) return undefined;
      continue;
    }
    if (multi && i === t.segments.length - 1 && (MULTI_SEGMENT.has(seg.param) || (seg.param === "ref" && GIT_REF.test(t.template))) && segs.length > t.segments.length) {
      const rest = segs.slice(i);
      if (rest.some((s) => s === "")) return undefined;
      params[seg.param] = rest.join("/");
      return params;
    }
    const value = segs[i];
    if (value === undefined || value === "") return undefined;
    params[seg.param] = value;
  }
  return segs.length === t.segments.length ? params : undefined;
}

/** More literal segments, earlier, wins. */
function specificity(a: Template, b: Template): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const la = a.segments[i] !== undefined && "literal" in a.segments[i]! ? 1 : 0;
    const lb = b.segments[i] !== undefined && "literal" in b.segments[i]! ? 1 : 0;
    if (la !== lb) return lb - la;
  }
  return 0;
}

/**
 * The route of `routes` (keys "METHOD /template") a request resolves to, with
 * its decoded path parameters; undefined when the twin implements none.
 */
export function resolveOwnRoute(
  routes: ReadonlyMap<string, unknown>,
  method: string,
  pathname: string,
): { template: string; params: Record<string, string> } | undefined {
  let segs: string[];
  try {
    segs = pathname.split("/").slice(1).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  const upper = method.toUpperCase();
  const own = templates(routes).filter((t) => t.method === upper);
  for (const multi of [false, true]) {
    const found: Array<{ t: Template; params: Record<string, string> }> = [];
    for (const t of own) {
      if (multi ? t.segments.length >= segs.length : t.segments.length !== segs.length) continue;
      const params = match(t, segs, multi);
      if (params) found.push({ t, params });
    }
    if (found.length) {
      found.sort((a, b) => specificity(a.t, b.t));
      return { template: found[0]!.t.template, params: found[0]!.params };
    }
  }
  return undefined;
}
