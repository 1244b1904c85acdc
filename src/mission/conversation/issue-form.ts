/**
 * A mission issue form (templates/ISSUE_TEMPLATE/mission.yml) as GitHub
 * renders it in the issue body: `### Label` headings, `_No response_` for
 * empty fields. → the goal and the interview answers it already gives. Pure.
 */
import { parse, stringify } from "yaml";

export const FORM_FIELDS = {
  Goal: "goal",
  Mode: "mode",
  "Time budget": "hours",
  "Money budget": "usd",
  "Token budget": "tokens",
  Constraints: "constraints",
  Preferences: "preferences",
  "User journey": "journey",
  "Non-negotiables": "musts",
  "What would make it fail": "failure",
} as const;

export interface MissionForm {
  goal: string;
  /** the other fields as an answer text for interview.parseAnswers */
  answers: string;
}

/** `undefined` when the body is not a mission form (no Goal section). */
export function parseMissionForm(body: string): MissionForm | undefined {
  const sections = new Map<string, string>();
  const parts = body.split(/^###[ \t]+(.+?)[ \t]*$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const value = parts[i + 1]!.trim();
    if (value && value !== "_No response_") sections.set(parts[i]!.trim(), value);
  }
  const goal = sections.get("Goal");
  if (!goal) return undefined;
  const answers: Record<string, unknown> = {};
  for (const [label, key] of Object.entries(FORM_FIELDS)) {
    const value = sections.get(label);
    if (value === undefined || key === "goal") continue;
    if (key === "constraints") {
      answers.constraints = /^none$/i.test(value) ? "none" : value.split("\n").map((l) => l.replace(/^\s*[-*]\s*/, "").trim()).filter(Boolean);
    } else if (key === "preferences") {
      answers.preferences = asMapping(value) ?? value;
    } else {
      answers[key] = value;
    }
  }
  return { goal, answers: Object.keys(answers).length ? stringify(answers) : "" };
}

/** `stack: Next.js` lines as a mapping; anything else stays free text. */
function asMapping(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
