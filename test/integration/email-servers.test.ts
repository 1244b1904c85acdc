/**
 * The email transport against real mail servers (`.ci/run` starts them:
 * Dovecot for IMAP, smtp-server handing mail to Dovecot over LMTP): a
 * mission's mail is sent through SMTP, reaches the vendor's mailbox, the
 * vendor's HTML-only reply (In-Reply-To the mission's mail) lands in the
 * mission's mailbox, `replies()` finds it by its thread and nothing else,
 * its code is extracted, and the thread file holds no code.
 */
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { afterAll, describe, expect, it } from "vitest";
import { openThread, recordReply, renderThreadFile, threadName } from "../../src/mission/outside/email-thread.js";
import { SmtpImapGateway } from "../../src/outside/email/smtp-imap-gateway.js";
import { TEST_EPOCH, testClock, testMissionId } from "../support/clock.js";
import { mailSkipReason, testEmailSettings, testMailbox } from "../support/mail-servers.js";

describe.skipIf(mailSkipReason !== undefined)("email through real SMTP and IMAP servers", () => {
  const clock = testClock();
  const now = () => new Date(clock());
  const mission = testMailbox("mission", "bot.example");
  const vendor = testMailbox("sales", "vendor.example");
  const gateways: SmtpImapGateway[] = [];
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
  });

  it("sends, finds the vendor's threaded reply, extracts its code and keeps no code in the thread file", async () => {
    const bot = new SmtpImapGateway(testEmailSettings(mission), now);
    const vendorSide = testEmailSettings(vendor);
    gateways.push(bot);

    const sent = await bot.send({ to: vendor, subject: "API access for the Acme CRM", text: "Hello, could we get API access for our CRM?" });
    expect(sent.messageId).toMatch(/^<[^<>\s]+@bot\.example>$/);
    expect(Date.parse(sent.acceptedAt)).toBeGreaterThanOrEqual(TEST_EPOCH);

    // the vendor's mailbox has it, with the Message-ID the gateway reported (SMTP 250 came after LMTP saved it)
    const inbox = new ImapFlow({ host: vendorSide.imap.host, port: vendorSide.imap.port, secure: false, auth: { user: vendor, pass: vendorSide.imap.pass }, logger: false });
    await inbox.connect();
    let received: { subject?: string; messageId?: string }[] = [];
    try {
      const lock = await inbox.getMailboxLock("INBOX");
      try {
        received = (await inbox.fetchAll("1:*", { envelope: true })).map((m) => ({ subject: m.envelope?.subject, messageId: m.envelope?.messageId }));
      } finally {
        lock.release();
      }
    } finally {
      await inbox.logout();
    }
    expect(received).toEqual([{ subject: "API access for the Acme CRM", messageId: sent.messageId }]);

    // the vendor answers (HTML only, threaded), and also writes a mail outside the thread
    const vendorMail = nodemailer.createTransport({ host: vendorSide.smtp.host, port: vendorSide.smtp.port, secure: false, auth: { user: vendor, pass: vendorSide.smtp.pass ?? "" } });
    try {
      await vendorMail.sendMail({ from: vendor, to: mission, subject: "Our newsletter", text: "Use code 999111 for a discount? No: your login code is 999111." });
      await vendorMail.sendMail({
        from: `Acme Sales <${vendor}>`,
        to: mission,
        subject: "Re: API access for the Acme CRM",
        inReplyTo: sent.messageId,
        references: [sent.messageId],
        html: "<p>Hi!</p><p>Your verification code is:</p><p><strong>604218</strong></p><p>It expires in 10 minutes.</p>",
      });
    } finally {
      vendorMail.close();
    }

    const replies = await bot.replies([sent.messageId], 0);
    expect(replies).toHaveLength(1);
    const [reply] = replies;
    expect(reply).toMatchObject({ from: vendor, subject: "Re: API access for the Acme CRM", inReplyTo: sent.messageId, references: [sent.messageId] });
    expect(reply!.text).toContain("604218");
    expect(await bot.replies([sent.messageId], reply!.uid)).toEqual([]);

    let thread = openThread({ thread: threadName("API access for the Acme CRM", 1), mission: testMissionId("crm", 7), from: mission, to: vendor, subject: "API access for the Acme CRM", text: "Hello", sent });
    const recorded = recordReply(thread, reply!);
    thread = recorded.thread;
    expect(recorded.secrets).toEqual([{ kind: "code", value: "604218" }]);
    const file = renderThreadFile(thread);
    expect(file).not.toContain("604218");
    expect(file).toContain("[redacted code]");
  });

  it("refuses a recipient that is not an address, before any server is asked", async () => {
    const bot = new SmtpImapGateway(testEmailSettings(mission), now);
    gateways.push(bot);
    await expect(bot.send({ to: "sales@vendor.example\r\nBcc: everyone@example.com", subject: "x", text: "y" })).rejects.toThrow(/not an email address/);
  });

  it("a wrong password is refused by the server", async () => {
    const settings = testEmailSettings(mission);
    const bot = new SmtpImapGateway({ ...settings, imap: { ...settings.imap, pass: "wrong" } }, now);
    gateways.push(bot);
    await expect(bot.replies(["<x@bot.example>"], 0)).rejects.toThrow();
  });
});
