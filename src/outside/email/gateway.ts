/**
 * The email transport a mission uses to write to people outside GitHub and
 * read their replies: the interface the rest of the bot codes against. The
 * real one is SMTP + IMAP (smtp-imap-gateway.ts); tests of other code use the
 * in-memory one (memory-gateway.ts).
 */

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** threading */
  inReplyTo?: string;
  references?: string[];
}

export interface SentEmail {
  messageId: string;
  acceptedAt: string /* ISO */;
}

export interface ReceivedEmail {
  messageId: string;
  inReplyTo?: string;
  references: string[];
  from: string;
  subject: string;
  text: string;
  receivedAt: string;
  uid: number;
}

export interface EmailGateway {
  send(mail: OutgoingEmail): Promise<SentEmail>;
  /** replies to any of these Message-IDs, newer than the given IMAP uid */
  replies(threadIds: string[], afterUid: number): Promise<ReceivedEmail[]>;
  close(): Promise<void>;
}

export interface EmailSettings {
  from: string;
  smtp: { host: string; port: number; secure: boolean; user?: string; pass?: string };
  imap: { host: string; port: number; secure: boolean; user: string; pass: string; mailbox?: string };
}
