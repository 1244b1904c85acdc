/**
 * One email conversation of a mission, kept in the mission folder as
 * `todo/missions/<id>/email/<thread>.md`: YAML front matter holding the
 * thread's record (what threading needs: every Message-ID, the last IMAP uid
 * read) and, below it, the conversation for people to read. Pure.
 *
 * Nothing secret is ever in it: a reply's text and subject are redacted
 * (extract.ts) before they are recorded, and the codes, links and keys found
 * are returned to the caller, never stored here. Every piece of outside text
 * is escaped (markdown/escape.ts) when it is recorded, and again (harmlessly)
 * when it is rendered; quoted earlier messages are trimmed from replies.
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import { escapeText, inlineText, quoteText, shorten } from "../markdown/escape.js";
import { describeZodError, MissionId } from "../model.js";
import { extractSecrets, redact, type ExtractedSecret, type SecretKind } from "./extract.js";
import { messageIdList, normaliseMessageId } from "./threading.js";

/** The longest text kept of one message (a reply is a few kilobytes; the rest is cut). */
export const MAX_MESSAGE_CHARS = 20_000;
/** The most messages one thread keeps (a conversation with a vendor is a handful). */
export const MAX_THREAD_MESSAGES = 100;

const MessageId = z.string().max(998).regex(/^<[^<>\s]+>$/, "a Message-ID like <id@host>");
export const ThreadId = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, "a thread name: lower-case letters, digits and dashes");

export const EmailMessageRecord = z.strictObject({
  direction: z.enum(["sent", "received"]),
  message_id: MessageId,
  in_reply_to: MessageId.optional(),
  from: z.string().max(320),
  to: z.string().max(320),
  /** redacted and escaped */
  subject: z.string().max(1000),
  at: z.iso.datetime({ offset: true }),
  /** the IMAP uid a received message had */
  uid: z.number().int().positive().optional(),
  /** redacted, escaped, quoted text trimmed */
  text: z.string().max(MAX_MESSAGE_CHARS + 200),
  /** what was found in it and handed over (kinds only; never the values) */
  found: z.array(z.enum(["code", "link", "key"])).max(50).default([]),
});
export type EmailMessageRecord = z.infer<typeof EmailMessageRecord>;

export const EmailThreadRecord = z.strictObject({
  thread: ThreadId,
  mission: MissionId,
  /** the recipient the mission writes to */
  with: z.string().max(320),
  /** redacted and escaped */
  subject: z.string().max(1000),
  /** the feature the conversation is for, when one asked */
  feature: z.string().max(20).optional(),
  /** every Message-ID of the thread: replies to any of them belong to it */
  message_ids: z.array(MessageId).max(MAX_THREAD_MESSAGES),
  /** the highest IMAP uid read: replies are looked for above it */
  last_uid: z.number().int().nonnegative().default(0),
  messages: z.array(EmailMessageRecord).max(MAX_THREAD_MESSAGES),
});
export type EmailThreadRecord = z.infer<typeof EmailThreadRecord>;

export function emailThreadPath(missionId: string, thread: string): string {
  return `todo/missions/${missionId}/email/${thread}.md`;
}

/** A thread name from the subject and a number that makes it unique in the mission (e.g. a request's number): `3-api-access-for-acme`. */
export function threadName(subject: string, n: number): string {
  const slug = subject
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return ThreadId.parse(slug ? `${n}-${slug}` : `${n}`);
}

/** The reply without the earlier messages it quotes ("On … wrote:" and the `>` lines, "-----Original Message-----" and below). */
export function trimQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const kept: string[] = [];
  const lastQuoted = lines.findLastIndex((line) => line.startsWith(">"));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^\s*-{2,}\s*(?:original message|forwarded message)\s*-{2,}\s*$/i.test(line)) break;
    if (/^\s*(?:from|von|de):\s.+$/i.test(line) && /^\s*(?:sent|date|gesendet|envoyé):\s/i.test(lines[i + 1] ?? "")) break;
    const attribution = /^\s*(?:on|am|le)\s.{0,300}$/i.test(line) && (/wrote:\s*$|schrieb:\s*$|a écrit\s*:\s*$/i.test(line) || /wrote:\s*$/i.test(lines[i + 1] ?? ""));
    if (attribution && lastQuoted > i) break;
    if (line.startsWith(">")) continue;
    kept.push(line);
  }
  return kept.join("\n").trim();
}

function recordedText(text: string): string {
  return escapeText(shorten(trimQuoted(redact(text)), MAX_MESSAGE_CHARS));
}

function recordedSubject(subject: string): string {
  return escapeText(shorten(redact(subject.replace(/[\r\n]+/g, " ")), 300));
}

/** A new thread, opened by the mission's first message. */
export function openThread(input: {
  thread: string;
  mission: string;
  feature?: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  sent: { messageId: string; acceptedAt: string };
}): EmailThreadRecord {
  const messageId = normaliseMessageId(input.sent.messageId) ?? input.sent.messageId;
  return EmailThreadRecord.parse({
    thread: input.thread,
    mission: input.mission,
    with: input.to,
    subject: recordedSubject(input.subject),
    feature: input.feature,
    message_ids: [messageId],
    last_uid: 0,
    messages: [{ direction: "sent", message_id: messageId, from: input.from, to: input.to, subject: recordedSubject(input.subject), at: input.sent.acceptedAt, text: recordedText(input.text), found: [] }],
  });
}

/** The thread with one more message the mission sent in it. */
export function recordSent(thread: EmailThreadRecord, input: { from: string; subject: string; text: string; inReplyTo?: string; sent: { messageId: string; acceptedAt: string } }): EmailThreadRecord {
  const messageId = normaliseMessageId(input.sent.messageId) ?? input.sent.messageId;
  if (thread.message_ids.includes(messageId)) return thread;
  return EmailThreadRecord.parse({
    ...thread,
    message_ids: [...thread.message_ids, messageId],
    messages: [
      ...thread.messages,
      { direction: "sent", message_id: messageId, in_reply_to: normaliseMessageId(input.inReplyTo), from: input.from, to: thread.with, subject: recordedSubject(input.subject), at: input.sent.acceptedAt, text: recordedText(input.text), found: [] },
    ],
  });
}

/**
 * The thread with a reply recorded (redacted), and what the reply hands over:
 * its codes, links and keys, for the caller to pass on the guarded way and
 * never to write anywhere. A reply already recorded changes nothing.
 */
export function recordReply(
  thread: EmailThreadRecord,
  reply: { messageId: string; inReplyTo?: string; from: string; subject: string; text: string; receivedAt: string; uid: number },
): { thread: EmailThreadRecord; secrets: ExtractedSecret[] } {
  const messageId = normaliseMessageId(reply.messageId);
  if (!messageId || thread.message_ids.includes(messageId)) return { thread: { ...thread, last_uid: Math.max(thread.last_uid, reply.uid) }, secrets: [] };
  // from the reply's own words: what it quotes of earlier messages hands nothing over
  const secrets = [...extractSecrets(reply.subject), ...extractSecrets(trimQuoted(reply.text))].filter(
    (secret, i, all) => all.findIndex((other) => other.kind === secret.kind && other.value === secret.value) === i,
  );
  const found = [...new Set(secrets.map((secret) => secret.kind))] as SecretKind[];
  const next = EmailThreadRecord.parse({
    ...thread,
    message_ids: [...thread.message_ids, messageId].slice(-MAX_THREAD_MESSAGES),
    last_uid: Math.max(thread.last_uid, reply.uid),
    messages: [
      ...thread.messages,
      {
        direction: "received",
        message_id: messageId,
        in_reply_to: normaliseMessageId(reply.inReplyTo),
        from: escapeText(shorten(reply.from, 300)),
        to: thread.messages[0]?.from ?? "",
        subject: recordedSubject(reply.subject),
        at: reply.receivedAt,
        uid: reply.uid,
        text: recordedText(reply.text),
        found,
      },
    ].slice(-MAX_THREAD_MESSAGES),
  });
  return { thread: next, secrets };
}

/** The thread's Message-IDs to look for replies to (EmailGateway.replies). */
export function threadIds(thread: EmailThreadRecord): string[] {
  return messageIdList(thread.message_ids);
}

const FOUND_WORDS: Record<SecretKind, string> = { code: "a code", link: "a verification link", key: "a key" };

/** The thread file: its record as front matter, then the conversation to read. */
export function renderThreadFile(thread: EmailThreadRecord): string {
  const record = EmailThreadRecord.parse(thread);
  const lines = [
    `# Email: ${inlineText(record.subject)}`,
    "",
    `Mission \`${record.mission}\`${record.feature ? `, feature ${inlineText(record.feature)}` : ""}, with ${inlineText(record.with)}. Codes, links and keys in replies are redacted here; they are handed only to the worker run that needs them.`,
  ];
  for (const message of record.messages) {
    const who = message.direction === "sent" ? `Sent to ${inlineText(message.to)}` : `Reply from ${inlineText(message.from)}`;
    lines.push("", `## ${who}, ${message.at}`, "", `**${inlineText(message.subject)}**`, "");
    lines.push(message.text.trim() ? quoteText(message.text) : "> (no text)");
    if (message.found.length > 0) lines.push("", `Handed over: ${message.found.map((kind) => FOUND_WORDS[kind]).join(", ")} (redacted above).`);
  }
  return `---\n${stringifyYaml(record, { lineWidth: 0 })}---\n\n${lines.join("\n")}\n`;
}

export type ThreadFileResult = { ok: true; thread: EmailThreadRecord } | { ok: false; problems: string[] };

/** A thread file read back: its front matter, validated (the file is in git: anyone with write access can change it). */
export function parseThreadFile(text: string): ThreadFileResult {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text.replace(/\r\n?/g, "\n"));
  if (!match) return { ok: false, problems: ["the email thread file has no front matter"] };
  let raw: unknown;
  try {
    raw = parseYaml(match[1] ?? "", { maxAliasCount: 0 });
  } catch (error) {
    return { ok: false, problems: [`the email thread file's front matter is not valid YAML: ${(error as Error).message.split("\n")[0]}`] };
  }
  const result = EmailThreadRecord.safeParse(raw);
  return result.success ? { ok: true, thread: result.data } : { ok: false, problems: describeZodError(result.error) };
}
