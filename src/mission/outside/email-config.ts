/**
 * `.github/mission.yml` `email:` — how a mission writes to people outside
 * GitHub (SMTP) and reads their replies (IMAP). Credentials are named, never
 * given: each `*_secret` is the name of a secret (an environment variable of
 * the bot) that holds the password, so no password is ever in the
 * repository. `allow`, when set, limits who may be written to. Pure.
 */
import { z } from "zod";

const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$|^\d{1,3}(?:\.\d{1,3}){3}$/i;
/** an address as SMTP takes it: local@domain, nothing that could add a header or a second recipient */
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const DOMAIN = /^(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** The name of a secret, never its value: upper case, like MISSION_SMTP_PASSWORD; not one of GitHub's own. */
export const SecretName = z
  .string()
  .regex(/^(?!GITHUB_)[A-Z][A-Z0-9_]{0,99}$/, "the name of a secret (upper case, like MISSION_SMTP_PASSWORD; not starting with GITHUB_), never the password itself");

export const EmailAddress = z.string().max(254).regex(ADDRESS, "an email address like mission@example.com");

const Host = z.string().max(253).regex(HOST, "a host name like smtp.example.com");
const Port = z.number().int().min(1).max(65535);

export const EmailConfig = z
  .strictObject({
    from: EmailAddress.describe("the address missions write from; replies come back to its mailbox"),
    from_name: z
      .string()
      .max(100)
      .regex(/^[^\r\n<>"]*$/, "from_name is a plain name, without quotes, angle brackets or line breaks")
      .optional()
      .describe("the name shown with `from`, like `Acme mission bot`"),
    smtp: z
      .strictObject({
        host: Host.describe("the SMTP server mail is sent through"),
        port: Port.default(465).describe("its port: 465 (TLS from the start) or 587 (STARTTLS)"),
        secure: z.boolean().default(true).describe("TLS from the start (port 465); false: STARTTLS, required by the bot when the server offers it"),
        user: z.string().max(254).optional().describe("the login, when the server needs one (often the `from` address)"),
        password_secret: SecretName.optional().describe("the name of the secret holding the SMTP password, like MISSION_SMTP_PASSWORD"),
      })
      .refine((smtp) => (smtp.user === undefined) === (smtp.password_secret === undefined), { message: "smtp needs both user and password_secret, or neither" })
      .describe("outgoing mail"),
    imap: z
      .strictObject({
        host: Host.describe("the IMAP server replies are read from"),
        port: Port.default(993).describe("its port: 993 (TLS) or 143"),
        secure: z.boolean().default(true).describe("TLS from the start (port 993)"),
        user: z.string().min(1).max(254).describe("the login of the `from` address's mailbox"),
        password_secret: SecretName.describe("the name of the secret holding the IMAP password, like MISSION_IMAP_PASSWORD"),
        mailbox: z.string().min(1).max(200).regex(/^[^\r\n\0]+$/, "a mailbox name like INBOX").default("INBOX").describe("the folder replies arrive in"),
      })
      .describe("incoming mail: the replies"),
    allow: z
      .array(
        z
          .string()
          .max(254)
          .refine((entry) => ADDRESS.test(entry) || DOMAIN.test(entry), "an address (vendor@example.com), a domain (example.com), or *.example.com for its subdomains"),
      )
      .max(200)
      .optional()
      .describe("who missions may write to: addresses, domains (`example.com`) or subdomains (`*.example.com`); when not set, anyone a person approves"),
  })
  .describe("email to people outside GitHub, each approved by a person (README \"Email\"); not set: missions send no email");
export type EmailConfig = z.infer<typeof EmailConfig>;
export type EmailConfigInput = z.input<typeof EmailConfig>;

/** Whether `address` may be written to under `allow` (no list: anyone). Case-insensitive, exact domains; `*.d` matches d's subdomains only. */
export function recipientAllowed(config: Pick<EmailConfig, "allow">, address: string): boolean {
  const parsed = EmailAddress.safeParse(address.trim());
  if (!parsed.success) return false;
  if (!config.allow) return true;
  const lower = parsed.data.toLowerCase();
  const domain = lower.slice(lower.lastIndexOf("@") + 1);
  return config.allow.some((entry) => {
    const rule = entry.toLowerCase();
    if (rule.includes("@")) return rule === lower;
    if (rule.startsWith("*.")) return domain.endsWith(rule.slice(1));
    return domain === rule;
  });
}

/** The secret names an email configuration needs. */
export function emailSecretNames(config: EmailConfig): string[] {
  return [...new Set([config.smtp.password_secret, config.imap.password_secret].filter((name): name is string => name !== undefined))];
}
