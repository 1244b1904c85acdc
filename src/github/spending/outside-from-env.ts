/**
 * The bot's reach outside GitHub for a repository, from its configuration
 * and the process environment: a Stripe Issuing card provider when
 * `spending.cards` is set and the variable it names holds a key, and the
 * SMTP/IMAP email gateway when `email:` is set and the secrets it names are
 * in the environment (read by name; a missing one is reported by its name,
 * never a value, and approved emails wait). Codes in replies are found by
 * the email module's extractor (mission/outside/extract.ts).
 */
import type { Config } from "../../mission/model.js";
import { spendingConfig } from "../../mission/spending/rules.js";
import { extractSecrets } from "../../mission/outside/extract.js";
import { trimQuoted } from "../../mission/outside/email-thread.js";
import { stripeCards } from "../../outside/cards/stripe.js";
import type { EmailGateway } from "../../outside/email/gateway.js";
import { emailSettings } from "../../outside/email/settings.js";
import { SmtpImapGateway } from "../../outside/email/smtp-imap-gateway.js";
import type { ExtractedCode, Outside } from "./outside.js";

export interface OutsideParts {
  /** the gateway for a configuration (default: SMTP/IMAP from `email:` and the secrets it names) */
  email?: (config: Config) => EmailGateway | undefined;
  extractCodes?: (text: string) => ExtractedCode[];
  /** the clock of the bot (when an email was accepted) */
  clock?: () => number;
}

/** Codes, links and keys in a reply's own words (what it quotes of earlier mail hands nothing over). */
export function extractCodes(text: string): ExtractedCode[] {
  return extractSecrets(trimQuoted(text)).map((s) => ({ kind: s.kind, value: s.value }));
}

export function outsideFromEnv(env: Record<string, string | undefined>, parts: OutsideParts = {}): (config: Config) => Outside | undefined {
  const clock = parts.clock ?? Date.now;
  return (config) => {
    const cards = spendingConfig(config).cards;
    const key = cards ? env[cards.api_key_env] : undefined;
    let email = parts.email?.(config);
    let emailProblems: string[] = [];
    if (!parts.email && config.email) {
      const settings = emailSettings(config.email, (name) => env[name]);
      if (settings.ok) email = new SmtpImapGateway(settings.settings, () => new Date(clock()));
      else emailProblems = settings.problems;
    }
    if (!key && !email && !emailProblems.length) return undefined;
    return {
      ...(key ? { cards: stripeCards({ apiKey: key }) } : {}),
      ...(email ? { email } : {}),
      ...(emailProblems.length ? { emailProblems } : {}),
      extractCodes: parts.extractCodes ?? extractCodes,
    };
  };
}
