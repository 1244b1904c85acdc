/**
 * Reads what the mission's requests did outside GitHub: each card that is
 * not yet settled (its status, authorisations, transactions) and the
 * replies to each email sent since the last one read, with the codes
 * extractCodes finds in them, wrapped as SecretText at once.
 */
import type { Mission } from "../../mission/model.js";
import type { CardFacts, ReplyFacts, SpendingFacts } from "../../mission/spending/facts.js";
import { SecretText } from "../../mission/spending/secret.js";
import type { Outside } from "./outside.js";

export async function loadSpendingFacts(m: Mission, outside: Outside): Promise<SpendingFacts> {
  const cards = new Map<string, CardFacts>();
  const replies: ReplyFacts[] = [];
  for (const r of m.spending ?? []) {
    if (r.card && outside.cards && !(r.card.frozen && r.card.booked.length)) cards.set(r.id, await outside.cards.facts(r.card.id));
    if (r.email && outside.email) {
      for (const mail of await outside.email.replies([r.email.message_id], r.email.read_uid)) {
        if (mail.uid <= r.email.read_uid) continue;
        const codes = outside.extractCodes(mail.text).map((c) => ({ kind: c.kind, value: new SecretText(c.value) }));
        replies.push({ request: r.id, uid: mail.uid, codes });
      }
    }
  }
  return { cards, replies, ...(outside.emailProblems?.length ? { emailProblems: outside.emailProblems } : {}) };
}
