/**
 * Virtual cards for approved purchases, behind one small interface (the
 * Stripe Issuing adapter is stripe.ts). A card is named by its provider id;
 * its number never passes through this interface.
 */
import type { CardFacts } from "../../mission/spending/facts.js";

export interface CardOrder {
  /** the request's id: the idempotency key, so a retried apply never makes two cards */
  request: string;
  mission: string;
  /** integer cents: the card's spending limit, per authorisation and all time */
  amountCents: number;
  currency: string;
  /** merchant categories allowed ([]: any) */
  categories: readonly string[];
  cardholderName: string;
  billing: { line1: string; city: string; postal_code: string; country: string; state?: string | undefined };
  /** owner/name: the cardholder is made once per repository */
  repo: string;
}

export interface CardProvider {
  /** a single-use virtual card for one approved purchase: its id */
  issue(order: CardOrder): Promise<{ id: string }>;
  /** the card takes no more charges */
  freeze(cardId: string): Promise<void>;
  /** what the card did: its status, authorisations and transactions */
  facts(cardId: string): Promise<CardFacts>;
}
