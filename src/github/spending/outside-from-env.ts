/**
 * The bot's reach outside GitHub for a repository, from its configuration
 * and the process environment: a Stripe Issuing card provider when
 * `spending.cards` is set and the variable it names holds a key. The email
 * gateway and the extractor of codes come from the email transport
 * (src/outside/email/); until it is wired in, no email is sent (approved
 * emails wait) and no code is extracted.
 */
import type { Config } from "../../mission/model.js";
import { spendingConfig } from "../../mission/spending/rules.js";
import { stripeCards } from "../../outside/cards/stripe.js";
import type { EmailGateway } from "../../outside/email/gateway.js";
import type { ExtractedCode, Outside } from "./outside.js";

export interface OutsideParts {
  email?: (config: Config) => EmailGateway | undefined;
  extractCodes?: (text: string) => ExtractedCode[];
}

export function outsideFromEnv(env: Record<string, string | undefined>, parts: OutsideParts = {}): (config: Config) => Outside | undefined {
  return (config) => {
    const cards = spendingConfig(config).cards;
    const key = cards ? env[cards.api_key_env] : undefined;
    const email = parts.email?.(config);
    if (!key && !email) return undefined;
    return {
      ...(key ? { cards: stripeCards({ apiKey: key }) } : {}),
      ...(email ? { email } : {}),
      extractCodes: parts.extractCodes ?? (() => []),
    };
  };
}
