/**
 * A worker's report: what one run of a worker did and what it cost. Posted
 * by this project's Action (mode `report`) as a comment on the feature issue,
 * with the data in a hidden block; read back by the bot and validated here.
 * One schema for writer and reader. Pure.
 */
import { z } from "zod";
import { FeatureKey, MissionId, describeZodError } from "../model.js";
import { lastBlock, REPORT_BLOCK, reportBlock } from "../markers.js";
import { MissingContext } from "./missing-context.js";
import { ReportRequests } from "../spending/request.js";

export const WorkerReport = z.strictObject({
  mission: MissionId,
  feature: FeatureKey,
  /** the Actions run and attempt that did the work: the ledger key */
  run_id: z.number().int().positive(),
  run_attempt: z.number().int().min(1).default(1),
  /** success: the feature is done; failure: it is not (the bot retries or asks a human) */
  outcome: z.enum(["success", "failure"]),
  summary: z.string().max(5000).default(""),
  /** POC: the mission branch the commit went to; Full: the feature branch */
  branch: z.string().max(255).optional(),
  commit: z.string().regex(/^[0-9a-f]{7,40}$/).optional(),
  /** Full mode: the pull request that closes the feature */
  pull_request: z.number().int().positive().optional(),
  model: z.string().max(100).optional(),
  tokens_in: z.number().int().nonnegative().default(0),
  tokens_out: z.number().int().nonnegative().default(0),
  /** exact cost in USD when the agent reports one (Claude Code does); otherwise priced from tokens */
  cost_usd: z.number().nonnegative().optional(),
  /**
   * Where tokens and cost come from. "proxy": the usage record of the
   * metering proxy, what the model API answered. "unmetered": no record
   * could be read; the figures are the agent's own claim (if any), and the
   * ledger books at least the run's cost cap, else its forecast. Absent in
   * reports from before the proxy: booked as reported.
   */
  metering: z.enum(["proxy", "unmetered"]).optional(),
  /** the cost cap the run was dispatched with (max_cost_usd); absent when it had none */
  cost_cap_usd: z.number().nonnegative().optional(),
  /** the run reached its cost cap, and the proxy refused its later model requests */
  cap_reached: z.boolean().optional(),
  duration_seconds: z.number().nonnegative().default(0),
  /** Actions minutes from the job's timestamps */
  actions_minutes: z.number().nonnegative().default(0),
  turns: z.number().int().nonnegative().optional(),
  /** the worker could not do the feature for lack of knowledge: what about (the bot drafts a mission agent) */
  missing_context: MissingContext.optional(),
  /** what the worker asks the bot to buy or write (spending/request.ts): each checked on its own, so one bad request does not spoil the report */
  requests: ReportRequests.optional(),
  /**
   * Whether the commit this run pushed changed the mission folder (todo/missions/<id>/): the apply job says so
   * from the paths it committed. Absent: not known (the loop lists the folder again, as it always did).
   */
  mission_folder: z.boolean().optional(),
});
export type WorkerReport = z.infer<typeof WorkerReport>;
export type WorkerReportInput = z.input<typeof WorkerReport>;

export function encodeReport(report: WorkerReportInput): string {
  const json = JSON.stringify(WorkerReport.parse(report));
  return reportBlock(Buffer.from(json, "utf8").toString("base64url"));
}

export type ReadReport =
  | { found: false }
  | { found: true; ok: true; report: WorkerReport }
  | { found: true; ok: false; problems: string[] };

/** The report block in a comment (the last one: see markers.ts), validated. */
export function readReport(body: string | null | undefined): ReadReport {
  const payload = lastBlock(body, REPORT_BLOCK);
  if (payload === undefined) return { found: false };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { found: true, ok: false, problems: ["the report block is not base64url-encoded JSON"] };
  }
  const parsed = WorkerReport.safeParse(value);
  if (!parsed.success) return { found: true, ok: false, problems: describeZodError(parsed.error) };
  return { found: true, ok: true, report: parsed.data };
}
