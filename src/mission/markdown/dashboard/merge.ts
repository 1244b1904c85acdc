/**
 * The dashboard region in the tracking issue's body: found between this
 * mission's start and end markers, replaced whole, the user's text around it
 * kept byte for byte; shortened at its tail when the body would pass
 * GitHub's 65,536 characters. Pure.
 */
import { marker } from "../../markers.js";
import { GITHUB_LIMITS } from "../../model.js";

/**
 * Hidden line between the top (always kept) and the long tail (may be cut).
 * It matches no marker in markers.ts on purpose: it identifies nothing.
 */
export const TAIL_MARK = "<!-- mission-bot:dashboard-tail -->";

export function dashboardMarkers(missionId: string): { start: string; end: string } {
  return {
    start: marker({ mission: missionId, kind: "dashboard", key: "start" }),
    end: marker({ mission: missionId, kind: "dashboard", key: "end" }),
  };
}

export function shortenedNote(hiddenFeatures: number): string {
  const what = hiddenFeatures > 0 ? `${hiddenFeatures} feature${hiddenFeatures === 1 ? "" : "s"} not shown` : "Shortened";
  return `_… ${what}: an issue body holds at most ${GITHUB_LIMITS.bodyChars.toLocaleString("en-US")} characters. Each milestone issue lists its features._`;
}

interface BodyParts {
  /** the user's text before the region, or "" when the region is inserted at the top */
  before: string;
  /** the user's text after the region */
  after: string;
  /** whether the body already had a region for this mission */
  found: boolean;
}

/**
 * Split the body into the user's text around this mission's region.
 * Extra complete regions of the same mission are dropped (the bot owns what is
 * between its markers); a lone start or end marker is dropped so it cannot
 * pair with a new one and swallow the user's text. Nothing else changes.
 */
function splitBody(body: string, missionId: string): BodyParts {
  const { start, end } = dashboardMarkers(missionId);
  const s = body.indexOf(start);
  const e = s === -1 ? -1 : body.indexOf(end, s + start.length);
  if (s === -1 || e === -1) {
    return { before: "", after: dropLoneMarkers(body, start, end), found: false };
  }
  const before = dropLoneMarkers(body.slice(0, s), start, end);
  let after = body.slice(e + end.length);
  for (;;) {
    const s2 = after.indexOf(start);
    const e2 = s2 === -1 ? -1 : after.indexOf(end, s2 + start.length);
    if (e2 === -1) break;
    after = after.slice(0, s2) + after.slice(e2 + end.length);
  }
  return { before, after: dropLoneMarkers(after, start, end), found: true };
}

function dropLoneMarkers(text: string, start: string, end: string): string {
  return text.split(start).join("").split(end).join("");
}

function compose(parts: BodyParts, missionId: string, region: string): string {
  const { start, end } = dashboardMarkers(missionId);
  const block = `${start}\n${region}\n${end}`;
  if (parts.found) return parts.before + block + parts.after;
  return parts.after === "" ? block : `${block}\n\n${parts.after}`;
}

/**
 * Characters the region's inner markdown may use in this body: pass it to
 * renderDashboard as maxChars. Below a few thousand, the user's own text is
 * crowding the dashboard out; say so in a comment.
 */
export function dashboardRoom(body: string | null, missionId: string): number {
  return GITHUB_LIMITS.bodyChars - compose(splitBody(body ?? "", missionId), missionId, "").length;
}

/**
 * The body with this mission's region replaced, or inserted at the top
 * (then a blank line, then the user's text) when absent.
 *
 * The user's text is never cut. When body + region exceed 65,536 characters,
 * the region's tail (after TAIL_MARK) is cut at line boundaries with a note;
 * if even the top does not fit, the body is returned unchanged (so
 * dashboardChanged is false and nothing is written) — the caller should check
 * dashboardRoom() and tell the user in a comment.
 */
export function mergeDashboard(body: string | null, missionId: string, region: string): string {
  const parts = splitBody(body ?? "", missionId);
  const inner = region.replace(/^\n+|\n+$/g, "");
  const merged = compose(parts, missionId, inner);
  if (merged.length <= GITHUB_LIMITS.bodyChars) return merged;
  const room = dashboardRoom(body, missionId);
  const shortened = shortenRegion(inner, room);
  return shortened === undefined ? (body ?? "") : compose(parts, missionId, shortened);
}

function shortenRegion(region: string, room: number): string | undefined {
  const cut = region.indexOf(TAIL_MARK);
  if (cut === -1) return undefined;
  const top = region.slice(0, cut + TAIL_MARK.length);
  const note = `\n\n${shortenedNote(0)}`;
  if (top.length + note.length > room) return undefined;
  const lines = region.slice(top.length).split("\n");
  let text = top;
  // cut only between blocks: never inside a code fence (the diagram, the budget bars) or a <details> (the ledger)
  let kept = top;
  let fence = false;
  let details = false;
  for (const line of lines.slice(1)) {
    if (text.length + 1 + line.length + note.length > room) break;
    text += `\n${line}`;
    if (/^(`{3,}|~{3,})/.test(line)) fence = !fence;
    else if (!fence && line === "<details>") details = true;
    else if (!fence && line === "</details>") details = false;
    if (!fence && !details) kept = text;
  }
  return kept + note;
}

/** Whether writing newBody would change what GitHub shows (line endings and trailing space aside). */
export function dashboardChanged(oldBody: string | null, newBody: string): boolean {
  return normalize(oldBody ?? "") !== normalize(newBody);
}

function normalize(body: string): string {
  return body.replace(/\r\n?/g, "\n").replace(/\s+$/, "");
}
