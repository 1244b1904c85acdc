/**
 * An EmailGateway that keeps mail in memory, for tests of code that sends
 * mail and reads replies: what was sent is in `sent`, and `answer` plays the
 * other side, a reply threaded to a sent message. Its clock is injected.
 */
import type { EmailGateway, OutgoingEmail, ReceivedEmail, SentEmail } from "./gateway.js";
import { belongsToThread, messageIdList, normaliseMessageId, replyHeaders } from "../../mission/outside/threading.js";

export interface MemorySentEmail extends OutgoingEmail, SentEmail {
  from: string;
}

export class MemoryEmailGateway implements EmailGateway {
  readonly sent: MemorySentEmail[] = [];
  readonly inbox: ReceivedEmail[] = [];
  private nextUid = 1;
  private counter = 0;
  private closed = false;

  constructor(
    private readonly options: { from: string; now: () => Date; domain?: string },
  ) {}

  async send(mail: OutgoingEmail): Promise<SentEmail> {
    this.open();
    this.counter += 1;
    const messageId = `<${this.counter}.mission@${this.options.domain ?? "memory.invalid"}>`;
    const acceptedAt = this.options.now().toISOString();
    const inReplyTo = normaliseMessageId(mail.inReplyTo);
    this.sent.push({ ...mail, inReplyTo, references: messageIdList(mail.references ?? []), from: this.options.from, messageId, acceptedAt });
    return { messageId, acceptedAt };
  }

  async replies(threadIds: string[], afterUid: number): Promise<ReceivedEmail[]> {
    this.open();
    return this.inbox.filter((mail) => mail.uid > afterUid && belongsToThread(mail, threadIds)).map((mail) => ({ ...mail, references: [...mail.references] }));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** A mail arriving in the mailbox (threaded or not), given the next uid. */
  deliver(mail: Omit<ReceivedEmail, "uid" | "receivedAt" | "messageId"> & { messageId?: string; receivedAt?: string }): ReceivedEmail {
    const uid = this.nextUid++;
    const received: ReceivedEmail = {
      ...mail,
      messageId: normaliseMessageId(mail.messageId) ?? `<reply-${uid}@${this.options.domain ?? "memory.invalid"}>`,
      inReplyTo: normaliseMessageId(mail.inReplyTo),
      references: messageIdList(mail.references),
      receivedAt: mail.receivedAt ?? this.options.now().toISOString(),
      uid,
    };
    this.inbox.push(received);
    return received;
  }

  /** The recipient of a sent message answers it. */
  answer(sent: { messageId: string }, reply: { from?: string; text: string; subject?: string }): ReceivedEmail {
    const original = this.sent.find((mail) => mail.messageId === normaliseMessageId(sent.messageId));
    if (!original) throw new Error(`no sent message ${sent.messageId}`);
    return this.deliver({
      ...replyHeaders(original),
      from: reply.from ?? original.to,
      subject: reply.subject ?? (/^re:/i.test(original.subject) ? original.subject : `Re: ${original.subject}`),
      text: reply.text,
    });
  }

  private open(): void {
    if (this.closed) throw new Error("the email gateway is closed");
  }
}
