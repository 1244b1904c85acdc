/**
 * A worker's email request through the real gateway (the App on the twin,
 * the mail servers `.ci/run` starts): `email:` in .github/mission.yml names
 * the secrets, read from the bot's environment by name. While one is not
 * set, the approved email waits and the tracking issue is told the secret's
 * name; once it is set, the email goes out over SMTP, the vendor's reply
 * with a code lands in the mission's IMAP mailbox, the pulse finds the code
 * and hands it to the feature's next run as an Actions secret — and the
 * code is nowhere a person reads.
 */
import { readFileSync } from "node:fs";
import nodemailer from "nodemailer";
import { afterEach, describe, expect, it } from "vitest";
import { outsideFromEnv } from "../../src/github/spending/outside-from-env.js";
import { parseMissionFile } from "../../src/mission/markdown/mission-file.js";
import { renderReportComment } from "../../src/mission/markdown/report-comment.js";
import { harness, type Harness } from "../support/app-harness.js";
import { TEST_DAY } from "../support/clock.js";
import { mailSkipReason, testEmailSettings, testMailbox } from "../support/mail-servers.js";
import { STATE_BRANCH } from "../support/missions.js";
import { CRM_OUTLINE } from "../support/outline.js";

const CODE = "604218";
const MISSION = `m-${TEST_DAY}-crm-1`;
const PATH = `todo/missions/${MISSION}/mission.md`;

let h: Harness;
afterEach(() => {
  h?.stop();
  expect(h.twin.contractFailures).toEqual([]);
});

function mission() {
  const parsed = parseMissionFile(h.twin.readFile(PATH, { ref: STATE_BRANCH })!.text);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.mission;
}

describe.skipIf(mailSkipReason !== undefined)("an email request through real SMTP and IMAP servers", () => {
  it("waits for a missing secret (named once), is sent, and its reply's code reaches the next run only", async () => {
    const bot = testEmailSettings(testMailbox("mission", "bot.example"));
    const vendor = testEmailSettings(testMailbox("sales", "vendor.example"));
    const config = [
      "planner:",
      "  provider: outline",
      "email:",
      `  from: ${bot.from}`,
      `  smtp: { host: ${bot.smtp.host}, port: ${bot.smtp.port}, secure: false, user: ${bot.from}, password_secret: MISSION_SMTP_PASSWORD }`,
      `  imap: { host: ${bot.imap.host}, port: ${bot.imap.port}, secure: false, user: ${bot.from}, password_secret: MISSION_IMAP_PASSWORD }`,
    ].join("\n");
    // the bot's environment: the IMAP password is not set yet
    const env: Record<string, string | undefined> = { MISSION_SMTP_PASSWORD: bot.smtp.pass };
    h = harness({
      files: {
        ".github/workflows/mission-worker.yml": readFileSync("templates/workflows/mission-worker.yml", "utf8"),
        ".github/workflows/mission-validate.yml": readFileSync("templates/workflows/mission-validate.yml", "utf8"),
        ".github/mission.yml": config,
      },
      collaborators: { alice: "admin" },
      outside: outsideFromEnv(env, { clock: () => h.twin.now() }),
    });
    h.twin.installations.get(1)!.permissions.secrets = "write";
    const tracking = h.twin.as("alice").createIssue({ title: "CRM", body: CRM_OUTLINE });
    h.twin.as("alice").comment(tracking.number, "/mission Build a CRM --mode poc --budget $500 --hours 40 --tokens 50M");
    await h.pump();
    h.twin.as("alice").comment(tracking.number, "/mission answer\nconstraints: none\npreferences: none");
    await h.pump();
    h.twin.as("alice").comment(tracking.number, "/mission approve");
    await h.pump();

    // the worker asks to write to the vendor; a person approves (a new recipient)
    const run = h.twin.actions.runsOf("mission-worker.yml")[0]!;
    const inputs = { ...h.twin.runInputs(run.id) };
    const issue = Number(inputs.issue);
    h.twin.actions.start(run.id);
    const request = { kind: "email", to: vendor.from, subject: "API access", body: "Please send us a verification code.", purpose: "vendor API access", feature: inputs.feature };
    const report = { mission: inputs.mission!, feature: inputs.feature!, run_id: run.id, run_attempt: 1, outcome: "failure", summary: "waiting for access", model: "claude-sonnet-5-5", tokens_in: 1000, tokens_out: 100, cost_usd: 0.1, duration_seconds: 60, actions_minutes: 1, requests: [request] };
    h.twin.as("github-actions[bot]").comment(issue, renderReportComment(report as never));
    h.twin.actions.complete(run.id, "failure", { durationMs: 60_000 });
    await h.pump();
    h.twin.as("alice").comment(tracking.number, "/mission spend approve 1");
    await h.pump();
    h.twin.advance(15 * 60_000, { tokens: "keep" });
    await h.pulse();
    await h.pump();
    expect(mission().spending![0]!.status).toBe("approved");
    const told = h.twin.commentsOn(tracking).filter((c) => c.body.includes("MISSION_IMAP_PASSWORD"));
    expect(told).toHaveLength(1);
    expect(told[0]!.body).toContain("Approved emails wait");

    // the secret is set: the email goes out over SMTP
    env.MISSION_IMAP_PASSWORD = bot.imap.pass;
    h.twin.advance(15 * 60_000, { tokens: "keep" });
    await h.pulse();
    await h.pump();
    const sent = mission().spending![0]!;
    expect(sent.status).toBe("done");
    expect(sent.email!.message_id).toMatch(/@bot\.example>$/);

    // the vendor answers with a code, threaded; the pulse reads it over IMAP and hands it over
    const vendorMail = nodemailer.createTransport({ host: vendor.smtp.host, port: vendor.smtp.port, secure: false, auth: { user: vendor.from, pass: vendor.smtp.pass ?? "" } });
    try {
      await vendorMail.sendMail({ from: vendor.from, to: bot.from, subject: "Re: API access", inReplyTo: sent.email!.message_id, references: [sent.email!.message_id], text: `Hello,\n\nYour verification code is ${CODE}.\n` });
    } finally {
      vendorMail.close();
    }
    h.twin.advance(15 * 60_000, { tokens: "keep" });
    await h.pulse();
    await h.pump();
    expect(h.twin.secretValue(`MISSION_HANDOVER_${issue}_CODE`)).toBe(CODE);

    const texts = [
      ...h.twin.issuesOf().flatMap((i) => [i.title, i.body ?? "", ...h.twin.commentsOn(i).map((c) => c.body)]),
      h.twin.readFile(PATH, { ref: STATE_BRANCH })!.text,
      JSON.stringify(h.errors),
    ].join("\n");
    expect(texts).toContain(`MISSION_HANDOVER_${issue}_CODE`);
    expect(texts).not.toContain(CODE);
    expect(texts).not.toContain(bot.imap.pass);
  }, 60_000);
});
