/**
 * The real mail servers the email tests run against: `.ci/run` starts them
 * (scripts/mail-servers.mjs: Dovecot for IMAP, smtp-server handing mail to
 * Dovecot over LMTP) and sets MISSION_BOT_TEST_SMTP_URL and
 * MISSION_BOT_TEST_IMAP_URL. Every address is a mailbox there, and every
 * mailbox takes the URLs' password. Without them the tests are skipped,
 * and `mailSkipReason` says why.
 */
import { randomUUID } from "node:crypto";
import type { EmailSettings } from "../../src/outside/email/gateway.js";

const SMTP = "MISSION_BOT_TEST_SMTP_URL";
const IMAP = "MISSION_BOT_TEST_IMAP_URL";

export const mailSkipReason: string | undefined =
  process.env[SMTP] && process.env[IMAP]
    ? undefined
    : `no mail servers: set ${SMTP} and ${IMAP} (node scripts/mail-servers.mjs prints them; it needs Debian's dovecot-imapd and dovecot-lmtpd)`;

if (mailSkipReason) console.warn(`[email tests skipped] ${mailSkipReason}`);

function server(name: string): { host: string; port: number; password: string } {
  const url = new URL(process.env[name]!);
  return { host: url.hostname, port: Number(url.port), password: decodeURIComponent(url.password) };
}

/** A mailbox of its own for one test (the servers outlive a test run: CI runs the suite twice). */
export function testMailbox(name: string, domain: string): string {
  return `${name}-${randomUUID().slice(0, 8)}@${domain}`;
}

/** Settings for the gateway of `address`'s mailbox on the test servers. */
export function testEmailSettings(address: string): EmailSettings {
  const smtp = server(SMTP);
  const imap = server(IMAP);
  return {
    from: address,
    smtp: { host: smtp.host, port: smtp.port, secure: false, user: address, pass: smtp.password },
    imap: { host: imap.host, port: imap.port, secure: false, user: address, pass: imap.password, mailbox: "INBOX" },
  };
}
