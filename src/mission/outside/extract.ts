/**
 * What a reply to a mission's email hands over: one-time codes, verification
 * links and API keys, found in the reply's text (an HTML-only mail is turned
 * into text first), and the same text with each of them redacted. Pure.
 *
 * Conservative on purpose: a code is only a code next to a word that says so
 * (verification code, one-time passcode, OTP, "your code is…"), and dates,
 * times, phone numbers, prices and order numbers are set aside before codes
 * are looked for. A key is a key by a vendor's published prefix (sk-, pk_live_,
 * ghp_, xoxb-, AKIA…) or by being a long random token right after the word
 * key, token or secret. A link is an https address that carries a token.
 * `redact` removes every secret `extractSecrets` finds, and also every other
 * link that carries a token (a sign-in or unsubscribe link is a credential
 * too), so a redacted text never holds what was extracted.
 */

export type SecretKind = "code" | "link" | "key";

export interface ExtractedSecret {
  kind: SecretKind;
  value: string;
}

interface Span {
  start: number;
  end: number;
  kind: SecretKind;
  value: string;
  /** handed over (false: only redacted) */
  extract: boolean;
}

/** The longest text looked at (a vendor's reply is a few kilobytes); the rest is redacted whole. */
export const MAX_SCANNED = 200_000;

const KEY_PATTERNS: RegExp[] = [
  /\bsk-(?:proj-|ant-(?:api\d\d-)?|live-|test-)?[A-Za-z0-9_-]{20,200}/g, // OpenAI, Anthropic
  /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,200}/g, // Stripe
  /\bwhsec_[A-Za-z0-9+/=]{20,200}/g, // Stripe webhook secret
  /\bgh[pousr]_[A-Za-z0-9]{36,255}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,255}/g, // GitHub fine-grained token
  /\bxox[abprse]-[A-Za-z0-9-]{10,250}/g, // Slack
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key id
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API key
  /\bSG\.[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,64}/g, // SendGrid
  /\bglpat-[A-Za-z0-9_-]{20,64}/g, // GitLab
  /\bnpm_[A-Za-z0-9]{36}\b/g, // npm
  /\b(?:re|rk)_[A-Za-z0-9]{8,}_[A-Za-z0-9]{16,}/g, // Resend and similar
];

/** A long random token right after key / token / secret / password (e.g. "API key: 3f9a…", "Secret access key: wJalr…"). */
const NAMED_KEY = /\b(api[ _-]?key|access[ _-]?key|secret(?:[ _-]access[ _-]key)?|key|token|password|client[ _-]secret)\b(?:[ \t]{1,3}(?:is|for[ \t]{1,3}[^:\n]{1,40}?))?[ \t]{0,3}[:=]?[ \t]{0,3}(?:\n[ \t]{0,20})?([A-Za-z0-9_\-+/=.~!@#$%^&*]{8,200})/gi;

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]{4,2000}/gi;
const TOKEN_PARAMS = /^(?:token|access_token|auth|auth_token|code|otp|key|api_key|apikey|signature|sig|hash|verify|verification|verification_token|confirm|confirmation|confirmation_token|activation|activation_token|magic|secret|t|k|s|ticket|nonce|reset|reset_token|invite|invite_token|login_token|jwt|state)$/i;
const LINK_WORDS = /verif|confirm|activat|validat|magic|token|sign-?in|log-?in|reset|invite|auth|otp|passwordless|onboard|callback/i;

const MONTH = "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?";
/** Numbers that are never codes: masked before codes are looked for. */
const NOT_CODES: RegExp[] = [
  URL_PATTERN, // links are links (a code in one is the link's)
  /\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,10}\b/g, // email addresses
  /\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?/g, // 2026-11-24, ISO times
  /\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b/g, // 24/11/2026
  new RegExp(`\\b${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b`, "gi"), // November 24, 2026
  new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s+${MONTH}\\s+\\d{4}\\b`, "gi"), // 24 November 2026
  new RegExp(`\\b${MONTH}\\s+\\d{4}\\b`, "gi"), // November 2026
  /\b\d{1,2}:\d{2}(?::\d{2})?\b/g, // times
  /(?:\+|\b00)\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}\b/g, // +1 555 123 4567, 0044 20 7946 0958
  /\(\d{2,4}\)[\s.-]?\d{3,4}[\s.-]?\d{3,4}\b/g, // (555) 123-4567
  /\b\d{3}[\s.-]\d{3}[\s.-]\d{4}\b/g, // 555-123-4567
  /[$€£¥]\s?\d[\d,.]{0,20}/g, // prices
  /\b\d[\d,.]{0,20}\s?(?:USD|EUR|GBP|CHF|JPY|CAD|AUD|dollars|euros|%)/gi,
  /#\s?[A-Z0-9-]{2,}/gi, // #123456
  /\b(?:order|invoice|ticket|case|account|customer|reference|ref|booking|confirmation|tracking|transaction|receipt|po|serial|member|policy|phone|tel|fax|mobile|call|sms|no\.?|number|nr\.?|id)\b[ \t]{0,3}(?:number|no\.?|nr\.?|id|#)?[ \t]{0,3}[:#]?[ \t]{0,3}[A-Z0-9-]{3,40}/gi, // order number 12345678
  /\b(?:postal|zip|post|postcode|promo|promotional|discount|coupon|voucher|country|area|error|status|tracking|reference|product|source|gift|referral|dial|swift|sort|tax|sku|qr|exit|response|http|reason)[ \t]{1,3}codes?\b[ \t:#]{0,5}[A-Z0-9-]{2,40}/gi, // postal code 94107, promo code SAVE20
];

/** A word that says a code follows (or precedes: "482913 is your code"). */
const CODE_WORD = /\b(?:(?:verification|verify|security|one[- ]time|login|log-in|sign[- ]in|access|authentication|auth|activation|confirmation|2fa|mfa|two[- ]factor|temporary)[ \t]{1,3}(?:code|pin|passcode|password)|passcode|otp|code|pin)\b/gi;
const CODE_TOKEN = /(?<![A-Za-z0-9#$€£+\-./:_])(\d{3}[- ]\d{3}|\d{4,8}|[A-Z0-9]{4,8}|[A-Z0-9]{3,4}-[A-Z0-9]{3,4})(?![A-Za-z0-9_/%]|[-.:,]\d)/g;

function mask(text: string, pattern: RegExp): string {
  return text.replace(pattern, (found) => " ".repeat(found.length));
}

function isCodeLike(token: string): boolean {
  const bare = token.replace(/[- ]/g, "");
  if (/^\d+$/.test(bare)) return bare.length >= 4 && bare.length <= 8;
  // alphanumeric: upper case, with at least one digit and one letter (a word in capitals is no code)
  return /^[A-Z0-9]+$/.test(bare) && /\d/.test(bare) && /[A-Z]/.test(bare) && bare.length >= 4 && bare.length <= 8;
}

function looksRandom(token: string): boolean {
  return /[A-Za-z]/.test(token) && /\d/.test(token) && new Set(token).size >= 10;
}

function linkSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(/[).,;:!?'"\]>]+$/, "");
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue;
    }
    const params = [...url.searchParams.entries()];
    const segments = url.pathname.split("/").filter(Boolean);
    const tokenParam = params.some(([name, value]) => TOKEN_PARAMS.test(name) && value.length >= 6);
    const randomPart = [...segments, ...params.map(([, value]) => value), url.hash.slice(1)].some((part) => part.length >= 16 && looksRandom(part));
    if (!tokenParam && !randomPart) continue;
    const verifying = LINK_WORDS.test(url.pathname + url.search) && !/unsubscribe|opt-?out|preferences/i.test(url.pathname + url.search);
    spans.push({ start: match.index, end: match.index + raw.length, kind: "link", value: raw, extract: url.protocol === "https:" && verifying });
  }
  return spans;
}

function keySpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const pattern of KEY_PATTERNS) {
    for (const match of text.matchAll(pattern)) spans.push({ start: match.index, end: match.index + match[0].length, kind: "key", value: match[0], extract: true });
  }
  for (const match of mask(text, URL_PATTERN).matchAll(NAMED_KEY)) {
    const word = (match[1] ?? "").toLowerCase();
    const value = (match[2] ?? "").replace(/[.,;:!?)]+$/, "");
    const isPassword = word === "password";
    if (isPassword ? value.length < 8 || !(/\d/.test(value) || /[^A-Za-z0-9]/.test(value)) || !/[A-Za-z]/.test(value) : value.length < 20 || !looksRandom(value)) continue;
    if (/^https?:/i.test(value)) continue;
    const start = match.index + match[0].length - (match[2] ?? "").length;
    spans.push({ start, end: start + value.length, kind: "key", value, extract: true });
  }
  return spans;
}

const WHOLE_CODE = /^(?:\d{3}[- ]\d{3}|\d{4,8}|[A-Z0-9]{4,8}|[A-Z0-9]{3,4}-[A-Z0-9]{3,4})$/;

function codeSpans(text: string): Span[] {
  let masked = text;
  for (const pattern of NOT_CODES) masked = mask(masked, pattern);
  const spans: Span[] = [];
  const add = (start: number, token: string): true => {
    if (!spans.some((span) => span.start === start)) spans.push({ start, end: start + token.length, kind: "code", value: text.slice(start, start + token.length), extract: true });
    return true;
  };
  for (const word of text.matchAll(CODE_WORD)) {
    const at = word.index;
    const wordEnd = at + word[0].length;
    // a window after the word (so a hostile one-line mail of many "code"s costs linear time)
    const window = masked.slice(wordEnd, wordEnd + 200);
    const newline = window.indexOf("\n");
    const lineEnd = newline === -1 ? -1 : wordEnd + newline;
    const restOfLine = newline === -1 ? window : window.slice(0, newline);
    // after the word, in its sentence: the gap is blank or ends with "is", ":" or "=" ("code 482913", "code for Acme is 482913"), so "code of conduct … 1200 members" is no code
    const sentence = (restOfLine.split(/[.!?](?:\s|$)/)[0] ?? "").slice(0, 80);
    const inLine = [...sentence.matchAll(CODE_TOKEN)].find((m) => isCodeLike(m[1] ?? "") && /^(?:\s*|[^\n]{0,60}?(?:\bis|\bare|:|=)\s*)$/i.test(sentence.slice(0, m.index)));
    if (inLine?.[1] !== undefined && add(wordEnd + inLine.index, inLine[1])) continue;
    // on a line of its own after a line that ends with the word, "is", "below" or ":" ("Your verification code is:\n\n  604 218")
    if (lineEnd !== -1 && (/^[^A-Za-z0-9]*(?:is|are|below|here)?\s*[:-]?\s*$/i.test(restOfLine) || /:\s*$/.test(restOfLine))) {
      const next = /^(?:[ \t]{0,40}\n){0,3}([^\n]{0,80})/.exec(masked.slice(lineEnd + 1, lineEnd + 300));
      const nextLine = next?.[1] ?? "";
      const token = nextLine.trim().replace(/^[>*_`\s]+|[*_`]+$/g, "");
      if (next && isCodeLike(token) && WHOLE_CODE.test(token) && add(lineEnd + 1 + next[0].length - nextLine.length + nextLine.indexOf(token), token)) continue;
    }
    // before the word, in the same line: "482913 is your Acme verification code"
    const from = Math.max(0, at - 40) + masked.slice(Math.max(0, at - 40), at).lastIndexOf("\n") + 1;
    const leading = /(?<![A-Za-z0-9#$€£+\-./:_])(\d{3}[- ]\d{3}|\d{4,8}|[A-Z0-9]{4,8})\s+(?:is|=|:)\s+(?:your|the)\s+(?:[\w-]+\s+){0,3}$/.exec(masked.slice(from, at));
    if (leading?.[1] !== undefined && isCodeLike(leading[1])) add(from + leading.index, leading[1]);
  }
  return spans;
}

/** Every secret in the text, redacted or handed over, without overlaps (keys first, then links, then codes). */
function spans(text: string): Span[] {
  const chosen: Span[] = [];
  const taken = new Uint8Array(text.length);
  for (const candidate of [...keySpans(text), ...linkSpans(text), ...codeSpans(text)]) {
    if (taken.subarray(candidate.start, candidate.end).includes(1)) continue;
    taken.fill(1, candidate.start, candidate.end);
    chosen.push(candidate);
  }
  return chosen.sort((a, b) => a.start - b.start);
}

/** The codes, links and keys in a reply, each once, in the order they appear. */
export function extractSecrets(text: string): ExtractedSecret[] {
  const found: ExtractedSecret[] = [];
  for (const span of spans(text.slice(0, MAX_SCANNED))) {
    if (!span.extract || found.some((secret) => secret.kind === span.kind && secret.value === span.value)) continue;
    found.push({ kind: span.kind, value: span.value });
  }
  return found;
}

/** The text with each secret replaced by `[redacted code]`, `[redacted link]` or `[redacted key]`; text beyond MAX_SCANNED is left out. */
export function redact(text: string): string {
  const scanned = text.slice(0, MAX_SCANNED);
  let out = "";
  let at = 0;
  for (const span of spans(scanned)) {
    out += `${scanned.slice(at, span.start)}[redacted ${span.kind}]`;
    at = span.end;
  }
  out += scanned.slice(at);
  return text.length > MAX_SCANNED ? `${out}\n[… the rest of this mail, ${text.length - MAX_SCANNED} characters, left out]` : out;
}
