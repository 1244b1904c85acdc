/**
 * The EmailGateway on real mail servers: sends through SMTP (nodemailer),
 * reads replies over IMAP (imapflow), each reply parsed by mailparser (an
 * HTML-only mail is turned into text). Every reply is outside input: its
 * headers are read through the threading module, its size is capped, and
 * its text is only ever handed on as data.
 *
 * Credentials travel only over TLS: with `secure: false` the connection must
 * upgrade with STARTTLS, except to a server on this machine (the tests' own
 * servers on 127.0.0.1).
 */
import { randomUUID } from "node:crypto";
import { ImapFlow, type SearchObject } from "imapflow";
import { simpleParser, type AddressObject } from "mailparser";
import nodemailer, { type Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { EmailAddress } from "../../mission/outside/email-config.js";
import { belongsToThread, messageIdList, normaliseMessageId } from "../../mission/outside/threading.js";
import type { EmailGateway, EmailSettings, OutgoingEmail, ReceivedEmail, SentEmail } from "./gateway.js";

/** A reply larger than this is not read (a vendor's answer is a few kilobytes). */
export const MAX_REPLY_BYTES = 2 * 1024 * 1024;
/** At most this many replies are read in one call; the rest come with the next (uids ascend). */
export const MAX_REPLIES_PER_CALL = 50;
const TIMEOUT_MS = 30_000;

function onThisMachine(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127(?:\.\d{1,3}){3}$/.test(host);
}

function firstAddress(field: AddressObject | AddressObject[] | undefined): string {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  for (const group of list) for (const entry of group.value) if (entry.address) return entry.address;
  return "";
}

export class SmtpImapGateway implements EmailGateway {
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly domain: string;
  private readonly clients = new Set<ImapFlow>();

  constructor(
    private readonly settings: EmailSettings,
    private readonly now: () => Date,
  ) {
    const { smtp } = settings;
    this.transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: !smtp.secure && !onThisMachine(smtp.host),
      auth: smtp.user !== undefined ? { user: smtp.user, pass: smtp.pass ?? "" } : undefined,
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    const address = /<([^<>]+)>\s*$/.exec(settings.from)?.[1] ?? settings.from;
    this.domain = address.slice(address.lastIndexOf("@") + 1) || "mission-bot.invalid";
  }

  async send(mail: OutgoingEmail): Promise<SentEmail> {
    const to = EmailAddress.safeParse(mail.to.trim());
    if (!to.success) throw new Error(`not an email address: ${JSON.stringify(mail.to.slice(0, 100))}`);
    const messageId = `<${randomUUID()}@${this.domain}>`;
    const inReplyTo = normaliseMessageId(mail.inReplyTo);
    const references = messageIdList(mail.references ?? []);
    const info = await this.transport.sendMail({
      from: this.settings.from,
      to: to.data,
      subject: mail.subject.replace(/[\r\n]+/g, " "),
      text: mail.text,
      messageId,
      ...(inReplyTo ? { inReplyTo } : {}),
      ...(references.length > 0 ? { references } : {}),
    });
    if (info.rejected.length > 0) throw new Error(`the mail server refused the recipient ${to.data}: ${info.response}`);
    return { messageId: normaliseMessageId(info.messageId) ?? messageId, acceptedAt: this.now().toISOString() };
  }

  async replies(threadIds: string[], afterUid: number): Promise<ReceivedEmail[]> {
    const ids = messageIdList(threadIds);
    if (ids.length === 0) return [];
    const { imap } = this.settings;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      doSTARTTLS: imap.secure ? undefined : onThisMachine(imap.host) ? undefined : true,
      auth: { user: imap.user, pass: imap.pass },
      logger: false,
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
    });
    let failure: Error | undefined;
    client.on("error", (error: Error) => {
      failure = error;
    });
    this.clients.add(client);
    try {
      await client.connect();
      const lock = await client.getMailboxLock(imap.mailbox ?? "INBOX", { readOnly: true });
      try {
        // the server narrows by header (a substring match); belongsToThread decides on the parsed headers
        const found = await client.search(
          { uid: `${Math.max(0, Math.floor(afterUid)) + 1}:*`, or: ids.flatMap((id): SearchObject[] => [{ header: { "in-reply-to": id } }, { header: { references: id } }]) },
          { uid: true },
        );
        // `n:*` includes the newest message even when its uid is below n (RFC 3501 §6.4.8)
        const uids = (found || []).filter((uid) => uid > afterUid).sort((a, b) => a - b).slice(0, MAX_REPLIES_PER_CALL);
        if (uids.length === 0) return [];
        const sizes = await client.fetchAll(uids.join(","), { uid: true, size: true }, { uid: true });
        const small = sizes.filter((message) => (message.size ?? 0) <= MAX_REPLY_BYTES).map((message) => message.uid);
        if (small.length === 0) return [];
        const messages = await client.fetchAll(small.join(","), { uid: true, source: true, internalDate: true }, { uid: true });
        const replies: ReceivedEmail[] = [];
        for (const message of messages) {
          if (!message.source) continue;
          const parsed = await simpleParser(message.source, { skipImageLinks: true, skipTextToHtml: true, maxHtmlLengthToParse: MAX_REPLY_BYTES });
          const received: ReceivedEmail = {
            messageId: normaliseMessageId(parsed.messageId) ?? `<uid-${message.uid}@${imap.host}>`,
            inReplyTo: normaliseMessageId(parsed.inReplyTo),
            references: messageIdList(parsed.references),
            from: firstAddress(parsed.from),
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            receivedAt: (message.internalDate instanceof Date ? message.internalDate : parsed.date ?? this.now()).toISOString(),
            uid: message.uid,
          };
          if (belongsToThread(received, ids)) replies.push(received);
        }
        return replies.sort((a, b) => a.uid - b.uid);
      } finally {
        lock.release();
      }
    } catch (error) {
      throw failure ?? error;
    } finally {
      this.clients.delete(client);
      await client.logout().catch(() => client.close());
    }
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.close();
    this.clients.clear();
    this.transport.close();
  }
}
