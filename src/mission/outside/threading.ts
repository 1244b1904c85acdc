/**
 * Email threading by Message-ID, In-Reply-To and References (RFC 5322 §3.6.4). Pure.
 *
 * Every Message-ID is kept in one form, `<id@host>`: mail libraries and
 * servers give them with or without the angle brackets, with blanks around
 * them, and several to a References header.
 */

/** One Message-ID in its bracketed form, or undefined when the text holds none. */
export function normaliseMessageId(raw: string | undefined | null): string | undefined {
  if (!raw) return undefined;
  const trimmed = raw.trim();
  const bracketed = /<([^<>\s]+)>/.exec(trimmed);
  const id = bracketed ? bracketed[1] : trimmed;
  if (!id || /[\s<>]/.test(id) || id.length > 998) return undefined;
  return `<${id}>`;
}

/** Every Message-ID in a References (or In-Reply-To) header, in order, each once. */
export function messageIdList(raw: string | readonly string[] | undefined | null): string[] {
  if (!raw) return [];
  const parts = typeof raw === "string" ? [raw] : raw;
  const ids: string[] = [];
  for (const part of parts) {
    const found = part.match(/<[^<>\s]+>/g) ?? part.split(/\s+/);
    for (const candidate of found) {
      const id = normaliseMessageId(candidate);
      if (id && !ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}

export interface ThreadHeaders {
  inReplyTo?: string;
  references: readonly string[];
}

/** Whether a message answers one of the thread's messages (its In-Reply-To or any of its References). */
export function belongsToThread(mail: ThreadHeaders, threadIds: readonly string[]): boolean {
  const wanted = new Set(threadIds.map((id) => normaliseMessageId(id)).filter((id): id is string => id !== undefined));
  if (wanted.size === 0) return false;
  const own = [normaliseMessageId(mail.inReplyTo), ...mail.references.map((id) => normaliseMessageId(id))];
  return own.some((id) => id !== undefined && wanted.has(id));
}

/** The headers of a reply to `parent`: In-Reply-To the parent, References its references then the parent (RFC 5322 §3.6.4). */
export function replyHeaders(parent: { messageId: string; references?: readonly string[] }): { inReplyTo: string; references: string[] } {
  const parentId = normaliseMessageId(parent.messageId) ?? parent.messageId;
  return { inReplyTo: parentId, references: [...messageIdList(parent.references ?? []).filter((id) => id !== parentId), parentId] };
}
