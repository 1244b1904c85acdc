import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/mission/config.js";
import { emailSecretNames, recipientAllowed } from "../../src/mission/outside/email-config.js";
import { emailSettings } from "../../src/outside/email/settings.js";

const yaml = (extra = "") => `email:
  from: mission@acme.example
  smtp:
    host: smtp.acme.example
    user: mission@acme.example
    password_secret: MISSION_SMTP_PASSWORD
  imap:
    host: imap.acme.example
    user: mission@acme.example
    password_secret: MISSION_IMAP_PASSWORD
${extra}`;

describe(".github/mission.yml email:", () => {
  it("is optional: without it missions send no email", () => {
    const result = parseConfig("max_parallel_workers: 2\n");
    expect(result.ok && result.config.email).toBeUndefined();
  });

  it("reads the servers with their defaults and names the secrets, never holds a password", () => {
    const result = parseConfig(yaml());
    if (!result.ok) throw new Error(result.problems.join("\n"));
    expect(result.config.email).toMatchObject({ smtp: { port: 465, secure: true }, imap: { port: 993, secure: true, mailbox: "INBOX" } });
    expect(emailSecretNames(result.config.email!)).toEqual(["MISSION_SMTP_PASSWORD", "MISSION_IMAP_PASSWORD"]);
  });

  it("refuses a password where a secret's name belongs, naming the field", () => {
    const result = parseConfig(yaml().replace("password_secret: MISSION_IMAP_PASSWORD", "password_secret: hunter2-real-password"));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join("\n")).toMatch(/email\.imap\.password_secret.*name of a secret/);
  });

  it("refuses a password given by value, and a from address that could add a header", () => {
    const withPassword = parseConfig(yaml().replace("    password_secret: MISSION_IMAP_PASSWORD", "    password: hunter2"));
    expect(withPassword.ok).toBe(false);
    const injected = parseConfig(yaml().replace("from: mission@acme.example", 'from: "mission@acme.example\\nBcc: all@example.com"'));
    expect(injected.ok).toBe(false);
  });

  it("an allow list limits recipients to its addresses, domains and subdomains", () => {
    const result = parseConfig(yaml("  allow: [billing@registrar.example, vendor.example, '*.cloud.example']\n"));
    if (!result.ok) throw new Error(result.problems.join("\n"));
    const email = result.config.email!;
    expect(recipientAllowed(email, "Billing@Registrar.example")).toBe(true);
    expect(recipientAllowed(email, "sales@registrar.example")).toBe(false);
    expect(recipientAllowed(email, "sales@vendor.example")).toBe(true);
    expect(recipientAllowed(email, "sales@evil-vendor.example")).toBe(false);
    expect(recipientAllowed(email, "sales@vendor.example.evil.test")).toBe(false);
    expect(recipientAllowed(email, "ops@eu.cloud.example")).toBe(true);
    expect(recipientAllowed(email, "ops@cloud.example")).toBe(false);
    expect(recipientAllowed(email, "sales@vendor.example\r\nBcc: x@y.example")).toBe(false);
    expect(recipientAllowed({}, "anyone@anywhere.example")).toBe(true);
  });

  it("an allow entry that is neither an address nor a domain is refused", () => {
    expect(parseConfig(yaml("  allow: ['not a domain']\n")).ok).toBe(false);
  });

  it("settings read the named secrets; a missing one is named, its value never shown", () => {
    const result = parseConfig(yaml());
    if (!result.ok) throw new Error("bad config");
    const secrets: Record<string, string> = { MISSION_SMTP_PASSWORD: "smtp-pass-value", MISSION_IMAP_PASSWORD: "imap-pass-value" };
    const ok = emailSettings(result.config.email!, (name) => secrets[name]);
    expect(ok).toMatchObject({ ok: true, settings: { smtp: { pass: "smtp-pass-value" }, imap: { pass: "imap-pass-value", mailbox: "INBOX" } } });
    const missing = emailSettings(result.config.email!, (name) => (name === "MISSION_SMTP_PASSWORD" ? "smtp-pass-value" : undefined));
    expect(missing).toEqual({ ok: false, problems: ["the secret MISSION_IMAP_PASSWORD (named in .github/mission.yml email:) is not set"] });
  });

  it("the README's example is a valid configuration", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const example = /### Email\n[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const result = parseConfig(example!);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });
});
