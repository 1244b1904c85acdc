/**
 * The state block: where a mission lives before mission.md exists (during
 * the interview and while the plan waits for approval) — a hidden HTML
 * comment in the tracking issue's body:
 *
 *   <!-- mission-bot:state z.<base64url of deflated JSON> -->
 *
 * base64url so user text can never close the comment; deflated because the
 * whole issue body is capped at 65,536 characters and a plan's descriptions
 * are long. A payload without the `z.` prefix is read as base64url of plain
 * JSON. Validated with the Mission schema on the way in and on the way out.
 * Pure.
 */
import { Buffer } from "node:buffer";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { describeZodError, Mission } from "../model.js";

export type StateBlockResult =
  | { found: false }
  | { found: true; ok: true; mission: Mission }
  | { found: true; ok: false; problems: string[] };

const BLOCK = /<!-- mission-bot:state ([A-Za-z0-9_.-]*) -->/;
const COMPRESSED = "z.";
/** A body is at most 65,536 characters; no honest block inflates past this. */
const MAX_JSON_BYTES = 4 * 1024 * 1024;

/** Throws if the mission does not match the schema: a writer never writes what the reader rejects. */
export function encodeStateBlock(m: Mission): string {
  const checked = Mission.safeParse(m);
  if (!checked.success) {
    throw new Error(`cannot encode an invalid mission: ${describeZodError(checked.error).join("; ")}`);
  }
  const json = Buffer.from(JSON.stringify(checked.data), "utf8");
  return `<!-- mission-bot:state ${COMPRESSED}${deflateRawSync(json, { level: 9 }).toString("base64url")} -->`;
}

/** The first state block in a body (or any text), decoded and validated. */
export function decodeStateBlock(body: string): StateBlockResult {
  const match = BLOCK.exec(body);
  if (!match) return { found: false };
  const payload = match[1]!;
  let json: string;
  try {
    json = payload.startsWith(COMPRESSED)
      ? inflateRawSync(fromBase64url(payload.slice(COMPRESSED.length)), { maxOutputLength: MAX_JSON_BYTES }).toString("utf8")
      : fromBase64url(payload).toString("utf8");
  } catch {
    return { found: true, ok: false, problems: ["state block: the hidden mission state is damaged and cannot be decoded"] };
  }
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return { found: true, ok: false, problems: ["state block: the hidden mission state is not valid JSON"] };
  }
  const parsed = Mission.safeParse(data);
  if (!parsed.success) return { found: true, ok: false, problems: describeZodError(parsed.error) };
  return { found: true, ok: true, mission: parsed.data };
}

function fromBase64url(text: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error("not base64url");
  return Buffer.from(text, "base64url");
}
