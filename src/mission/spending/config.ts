/**
 * `spending:` in `.github/mission.yml`: how requests of workers to spend
 * money or write email are approved (README "Spending and email"). Pure.
 */
import { z } from "zod";

const Dollars = z
  .string()
  .regex(/^\d{1,7}(\.\d{1,2})?$/, "an amount in US dollars like 10 or 12.50")
  .or(z.number().nonnegative().max(9_999_999).transform((n) => n.toFixed(2)));

const Login = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, "a GitHub login like octocat");

/** An address (`sales@vendor.example`) or a whole domain (`@vendor.example`). */
const Recipient = z
  .string()
  .max(254)
  .regex(/^(?:[^\s@<>"]+)?@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i, "an address like sales@vendor.example, or @vendor.example for its whole domain");

export const SPENDING_DEFAULTS = {
  auto: "0",
  notify: "0",
  reserve: 0.2,
  expire_days: 7,
} as const;

export const SpendingConfig = z.strictObject({
  auto: Dollars.default(SPENDING_DEFAULTS.auto).describe("purchases up to this many US dollars are approved by the bot alone (with a notice on the tracking issue)"),
  notify: Dollars.default(SPENDING_DEFAULTS.notify).describe("purchases up to this many US dollars are approved by the bot and announced to the approvers; above it only an approver can approve"),
  approvers: z
    .array(Login)
    .max(50)
    .optional()
    .describe("who may `/mission spend approve` (checked live: they must still have write access); default: the repository's admins, checked live at the command"),
  reserve: z.number().min(0).max(1).default(SPENDING_DEFAULTS.reserve).describe("share of the mission's money budget that requests can never spend (0.2: 20%)"),
  expire_days: z.number().int().min(1).max(90).default(SPENDING_DEFAULTS.expire_days).describe("a request nobody decided expires after this many days, and the worker's next run is told"),
  cards: z
    .strictObject({
      provider: z.literal("stripe-issuing").default("stripe-issuing").describe("virtual cards through Stripe Issuing"),
      api_key_env: z
        .string()
        .regex(/^[A-Z][A-Z0-9_]*$/, "the name of an environment variable, like STRIPE_API_KEY")
        .default("STRIPE_API_KEY")
        .describe("name of the environment variable (an Actions secret or the App's environment) holding the Stripe secret key; never the key itself"),
      categories: z
        .array(z.string().regex(/^[a-z_]{2,80}$/, "a Stripe merchant category like computer_network_information_services"))
        .max(50)
        .default([])
        .describe("merchant categories a card may be used at (Stripe's names); [] for any"),
      cardholder_name: z.string().min(1).max(24).default("Mission Bot").describe("the cardholder's name on the cards"),
      billing: z
        .strictObject({
          line1: z.string().min(1).max(200).describe("street and number"),
          city: z.string().min(1).max(100).describe("city"),
          postal_code: z.string().min(1).max(20).describe("postal code"),
          country: z.string().regex(/^[A-Z]{2}$/, "a two-letter country code like US").describe("two-letter country code, like US"),
          state: z.string().max(100).optional().describe("state or region, where the country has them"),
        })
        .describe("the cardholder's billing address (Stripe asks for one; a merchant may check it)"),
    })
    .optional()
    .describe("virtual cards for approved purchases; without it an approved purchase is left to a person"),
  email: z
    .strictObject({
      allow: z.array(Recipient).max(100).optional().describe("recipients workers may ask to write to (an address, or @domain); absent: anyone, each new recipient approved by a person"),
    })
    .default({})
    .describe("email requests of workers"),
});
export type SpendingConfig = z.infer<typeof SpendingConfig>;
export type SpendingConfigInput = z.input<typeof SpendingConfig>;

export const SPENDING_CONFIG_DEFAULT: SpendingConfig = { ...SPENDING_DEFAULTS, email: {} };
