/**
 * Faults at chosen moments: "the 3rd POST /repos/acme/crm/issues gets a 502
 * whose write happened", a person editing mission.md just before the bot's
 * next write of it, and a seeded random mix. They work by looking at each
 * request as the twin's server hands it to the twin, and arming the twin's
 * own fault (`twin.fault`) for exactly that request.
 */
import { prng } from "../../../src/twin/webhook-sender.js";
import type { FaultKind, TwinRequest, TwinResponse } from "../../../src/twin/state.js";
import { renderMissionFile, parseMissionFile } from "../../../src/mission/markdown/mission-file.js";
import type { World } from "./world.js";
import { STATE_BRANCH } from "../../support/missions.js";

export interface Injection {
  kind: FaultKind;
  method: string;
  /** tested against the concrete path, e.g. /^\/repos\/acme\/crm\/issues$/ */
  path: RegExp;
  /** also tested against the request's body as JSON (a GraphQL mutation: /createIssue/) */
  body?: RegExp;
  /** the n-th matching request (1-based) */
  nth?: number;
  /** how many matching requests in a row from the n-th (default 1) */
  times?: number;
  status?: 403 | 429;
  seconds?: number;
}

export interface Injected {
  /** requests that got the fault */
  hits: number;
}

type Handler = (req: TwinRequest, ticket?: number) => TwinResponse;

/**
 * Wrap the twin's request handler (the server calls `twin.handle`). The
 * server's ticket is passed on: it admitted the request when it arrived, and
 * the twin counts it in flight until handled (GitHub's 100 concurrent requests).
 */
export function intercept(world: World, before: (req: TwinRequest, path: string) => void): void {
  const twin = world.twin;
  const inner: Handler = twin.handle.bind(twin);
  twin.handle = (req: TwinRequest, ticket?: number) => {
    before(req, req.path.split("?")[0]!);
    return inner(req, ticket);
  };
}

export function inject(world: World, spec: Injection): Injected {
  const out: Injected = { hits: 0 };
  let seen = 0;
  const from = spec.nth ?? 1;
  const to = from + (spec.times ?? 1) - 1;
  intercept(world, (req, path) => {
    if (req.method.toUpperCase() !== spec.method || !spec.path.test(path)) return;
    if (spec.body && !spec.body.test(typeof req.body === "string" ? req.body : JSON.stringify(req.body ?? null))) return;
    seen++;
    if (seen < from || seen > to) return;
    out.hits++;
    world.twin.fault({
      kind: spec.kind,
      method: spec.method,
      route: path,
      times: 1,
      ...(spec.status ? { status: spec.status } : {}),
      seconds: spec.seconds ?? 1,
    });
  });
  return out;
}

export const PERSON_DECISION = "Email goes through the company relay, not a third-party service.";

/**
 * A person edits the decision log in mission.md (through git, not the bot)
 * just before the bot's n-th write of it: the bot's write carries the old
 * sha and must be refused; the bot must re-read and keep the person's line.
 */
export function editDecisionLogBeforeWrite(world: World, nth = 3): Injected {
  const out: Injected = { hits: 0 };
  let seen = 0;
  intercept(world, (req, path) => {
    if (req.method.toUpperCase() !== "PUT" || !/^\/repos\/acme\/crm\/contents\/todo(\/|%2F)missions(\/|%2F).+mission\.md$/i.test(path)) return;
    if (++seen !== nth) return;
    const file = decodeURIComponent(path.slice("/repos/acme/crm/contents/".length));
    const current = world.twin.readFile(file, { ref: STATE_BRANCH });
    if (!current) return;
    const parsed = parseMissionFile(current.text);
    if (!parsed.ok) throw new Error(`mission.md does not parse before the person's edit: ${parsed.problems.join("; ")}`);
    const edited = renderMissionFile({
      ...parsed.mission,
      decisions: [...parsed.mission.decisions, { at: world.twin.timestamp(), by: "carol", what: PERSON_DECISION }],
    });
    world.twin.tamperFile(file, edited, { author: "carol", branch: STATE_BRANCH });
    out.hits++;
  });
  return out;
}

const RANDOM_KINDS: Array<{ kind: FaultKind; status?: 403 | 429 }> = [
  { kind: "bad-gateway" },
  { kind: "unavailable" },
  { kind: "secondary-rate-limit" },
  { kind: "primary-rate-limit", status: 403 },
  { kind: "primary-rate-limit", status: 429 },
  { kind: "lost-response" },
];

/** Each request, with probability `rate`, gets one of the faults above (seeded). */
export function randomFaults(world: World, seed: number, rate: number): { hits: Record<string, number> } {
  const random = prng(seed);
  const hits: Record<string, number> = {};
  intercept(world, (req, path) => {
    if (random() >= rate) return;
    const pick = RANDOM_KINDS[Math.floor(random() * RANDOM_KINDS.length)]!;
    const name = `${pick.kind}${pick.status ? ` ${pick.status}` : ""}`;
    hits[name] = (hits[name] ?? 0) + 1;
    world.twin.fault({ kind: pick.kind, method: req.method.toUpperCase(), route: path, times: 1, seconds: 1, ...(pick.status ? { status: pick.status } : {}) });
  });
  return { hits };
}
