/**
 * How large mission.md grows: a whole mission of the given shape, every
 * feature worked `tries` times (each try a run record and a ledger entry),
 * every milestone validated `validations` times, with the decisions and
 * notices such a mission writes; rendered by the app's own writer.
 */
import { Mission, Plan } from "../src/mission/model.js";
import { renderMissionFile } from "../src/mission/markdown/mission-file.js";
import { answered } from "../test/support/missions.js";

export interface SizeCase {
  name: string;
  shape: number[];
  /** characters of each feature's description (the plan allows 20,000) */
  description: number;
  /** acceptance criteria per feature, each `criterion` characters */
  criteria: number;
  criterion: number;
  tries: number;
  validations: number;
}

export function missionOfSize(c: SizeCase): Mission {
  const at = (minutes: number) => new Date(Date.parse("2026-11-24T09:00:00Z") + minutes * 60_000).toISOString();
  let n = 10;
  let run = 15_890_000_000;
  const ledger: Mission["ledger"] = [];
  const text = (len: number, seed: string) => `${seed}: `.concat("Store, list and export records; each screen tested and documented. ".repeat(Math.ceil(len / 66))).slice(0, len);
  const plan = Plan.parse({
    source: "claude-sonnet-5-5",
    milestones: c.shape.map((features, i) => {
      const key = String(i + 1);
      const validations = Array.from({ length: c.validations }, (_, v) => {
        const id = run++;
        ledger.push({ key: `validation-${id}-1`, kind: "validation", tokens_in: 0, tokens_out: 0, cost_micros: 120_000, wall_seconds: 300, actions_minutes: 5, at: at(v * 30) });
        return { try: v + 1, run_id: id, dispatched_at: at(v * 30), status: "completed", conclusion: v + 1 < c.validations ? "failure" : "success", updated_at: at(v * 30 + 5), url: `https://github.com/acme/crm/actions/runs/${id}`, outcome: v + 1 < c.validations ? "fail" : "pass", failures: v + 1 < c.validations ? ["test/contacts/contact-list.test.ts"] : [] };
      });
      return {
        key,
        title: `Milestone ${key}: ${text(60, "m")}`,
        description: text(800, `milestone ${key}`),
        issue: { number: n, id: n++ * 1000 },
        validated: "passed",
        validations,
        features: Array.from({ length: features }, (_, j) => {
          const fkey = `${key}.${j + 1}`;
          const runs = Array.from({ length: c.tries }, (_, t) => {
            const id = run++;
            ledger.push({ key: `run-${id}-1`, kind: "worker", feature: fkey, model: "claude-sonnet-5-5", tokens_in: 1_250_000, tokens_out: 180_000, cost_micros: 12_345_678, wall_seconds: 1260, actions_minutes: 22, at: at(t * 60) });
            return { try: t + 1, run_id: id, dispatched_at: at(t * 60), status: "completed", conclusion: t + 1 < c.tries ? "failure" : "success", updated_at: at(t * 60 + 21), url: `https://github.com/acme/crm/actions/runs/${id}`, reported: t + 1 < c.tries ? "failure" : "success" };
          });
          return {
            key: fkey,
            title: `${fkey} ${text(120, "f")}`,
            description: text(c.description, fkey),
            acceptance: Array.from({ length: c.criteria }, (_, k) => text(c.criterion, `${fkey} criterion ${k + 1}`)),
            size: "M",
            depends_on: j > 0 ? [`${key}.1`] : [],
            issue: { number: n, id: n++ * 1000 },
            runs,
            done: { by: "github-actions[bot]", at: at(c.tries * 60) },
          };
        }),
      };
    }),
  });
  const decisions = [
    { at: at(0), by: "alice", what: "Mission started." },
    { at: at(1), by: "alice", what: "Plan approved.", comment: 3_100_000_010 },
    ...c.shape.map((_, i) => ({ at: at(100 + i), by: "mission-bot[bot]", what: `Milestone ${i + 1} passed validation.` })),
  ];
  return answered({
    id: "m-20261124-crm-contacts-1234",
    tracking_issue: 1234,
    status: "completed",
    plan,
    ledger,
    decisions,
    alerts_sent: ["usd:0.5", "usd:0.8"],
    notices: ["alert:usd:0.5", "alert:usd:0.8", "completed"],
    seen_until: at(500),
  });
}

export function missionFileBytes(c: SizeCase): { bytes: number; ledgerBytes: number; ledgerEntries: number } {
  const m = missionOfSize(c);
  const whole = Buffer.byteLength(renderMissionFile(m));
  const withoutLedger = Buffer.byteLength(renderMissionFile({ ...m, ledger: [] }));
  return { bytes: whole, ledgerBytes: whole - withoutLedger, ledgerEntries: m.ledger.length };
}

export const SIZE_CASES: SizeCase[] = [
  { name: "3×2, short descriptions, 1 try", shape: [2, 2, 2], description: 300, criteria: 3, criterion: 80, tries: 1, validations: 1 },
  { name: "7×5, 2,000-character descriptions, 3 tries per feature", shape: [5, 5, 5, 5, 5, 5, 5], description: 2000, criteria: 5, criterion: 120, tries: 3, validations: 3 },
  { name: "7×5, 20,000-character descriptions (the plan's limit), 3 tries", shape: [5, 5, 5, 5, 5, 5, 5], description: 20_000, criteria: 5, criterion: 120, tries: 3, validations: 3 },
  { name: "7×5, 2,000 characters, 30 tries per feature (10× the default max_attempts)", shape: [5, 5, 5, 5, 5, 5, 5], description: 2000, criteria: 5, criterion: 120, tries: 30, validations: 3 },
];
