/**
 * The mail servers' settings from `.github/mission.yml` `email:` and the
 * secrets it names. The passwords are read through `secret` (the caller's
 * environment or secret store) and exist only in the returned settings,
 * never in a message: a missing secret is reported by its name.
 */
import type { EmailConfig } from "../../mission/outside/email-config.js";
import type { EmailSettings } from "./gateway.js";

export type EmailSettingsResult = { ok: true; settings: EmailSettings } | { ok: false; problems: string[] };

export function emailSettings(config: EmailConfig, secret: (name: string) => string | undefined): EmailSettingsResult {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = secret(name);
    if (value === undefined || value === "") problems.push(`the secret ${name} (named in .github/mission.yml email:) is not set`);
    return value || undefined;
  };
  const smtpPass = config.smtp.password_secret === undefined ? undefined : read(config.smtp.password_secret);
  const imapPass = read(config.imap.password_secret);
  if (problems.length > 0 || imapPass === undefined) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      from: config.from_name ? `"${config.from_name}" <${config.from}>` : config.from,
      smtp: { host: config.smtp.host, port: config.smtp.port, secure: config.smtp.secure, user: config.smtp.user, pass: smtpPass },
      imap: { host: config.imap.host, port: config.imap.port, secure: config.imap.secure, user: config.imap.user, pass: imapPass, mailbox: config.imap.mailbox },
    },
  };
}
