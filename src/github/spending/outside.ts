/**
 * What the bot reaches outside GitHub for a mission's requests: a card
 * provider and an email gateway, each optional (without one, an approved
 * purchase is left to a person, an approved email waits for a gateway), and
 * the extractor of codes in replies.
 */
import type { CardProvider } from "../../outside/cards/provider.js";
import type { EmailGateway } from "../../outside/email/gateway.js";

export interface ExtractedCode {
  kind: string;
  value: string;
}

export interface Outside {
  cards?: CardProvider;
  email?: EmailGateway;
  /** why there is no email gateway although `email:` is configured (a secret it names is not set; names only) */
  emailProblems?: string[];
  /** codes, links and keys in a reply's text (helper F's extract in mission/outside/extract.ts) */
  extractCodes: (text: string) => ExtractedCode[];
}
