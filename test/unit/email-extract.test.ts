import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { extractSecrets, redact } from "../../src/mission/outside/extract.js";

const codes = (text: string) => extractSecrets(text).filter((s) => s.kind === "code").map((s) => s.value);
const links = (text: string) => extractSecrets(text).filter((s) => s.kind === "link").map((s) => s.value);
const keys = (text: string) => extractSecrets(text).filter((s) => s.kind === "key").map((s) => s.value);

describe("one-time codes in a vendor's reply", () => {
  it("finds the code after the words that announce it, on the same line or the next", () => {
    expect(codes("Hi,\n\nYour verification code is 482913. It expires in 10 minutes.\n\nThe Acme team")).toEqual(["482913"]);
    expect(codes("Use the code below to confirm your email address:\n\n    731 905\n\nIf you didn't ask for this, ignore this email.")).toEqual(["731 905"]);
    expect(codes("YOUR ONE-TIME PASSCODE\n\nQ7K2MX\n\nValid for 15 minutes")).toEqual(["Q7K2MX"]);
    expect(codes("Enter this OTP: 5520 to continue.")).toEqual(["5520"]);
    expect(codes("security code: 123-456")).toEqual(["123-456"]);
  });

  it("finds the code before the words, as text-message style mails put it", () => {
    expect(codes("482913 is your Acme verification code. Don't share it.")).toEqual(["482913"]);
  });

  it("takes no date, time, phone number, price or order number for a code", () => {
    const mail = [
      "Thanks for your order 88812345 placed on 2026-11-24 at 09:41.",
      "Order number: 77123456 — total $12.00 (12.00 USD), renews November 24, 2027.",
      "Questions? Call +1 (555) 123-4567 or 555-123-4567, Mon–Fri 9:00–17:00.",
      "Our office: 100 Main Street, postal code 94107. Use promo code SAVE2026 for 20% off.",
      "Error code 5021 was fixed in release 2026.11.",
      "Your ticket #482913 is open.",
    ].join("\n");
    expect(extractSecrets(mail)).toEqual([]);
    expect(redact(mail)).toBe(mail);
  });

  it("takes no number in a mail that mentions no code", () => {
    expect(codes("We received 250000 requests from your account in 2026. Invoice INV2026 is attached.")).toEqual([]);
    expect(codes("Your code review is scheduled for 24/11/2026 at 14:30.")).toEqual([]);
    expect(codes("The code of conduct applies to all 1200 members.")).toEqual([]);
  });

  it("takes a capitalised word for no code", () => {
    expect(codes("Your verification code is BELOW, check again.")).toEqual([]);
  });
});

describe("verification links and API keys", () => {
  it("hands over a verification link with a token and keeps an ordinary link", () => {
    const mail =
      "Confirm your email: https://app.vendor.example/verify?token=Zk3J9qP2mW8xR4tL7vN1 .\nDocs: https://docs.vendor.example/getting-started\n";
    expect(links(mail)).toEqual(["https://app.vendor.example/verify?token=Zk3J9qP2mW8xR4tL7vN1"]);
    expect(redact(mail)).toBe("Confirm your email: [redacted link] .\nDocs: https://docs.vendor.example/getting-started\n");
  });

  it("redacts an unsubscribe link with a personal token without handing it over", () => {
    const mail = "Unsubscribe: https://mail.vendor.example/unsubscribe/8f3a9c2b1d4e5f6a7b8c9d0e";
    expect(links(mail)).toEqual([]);
    expect(redact(mail)).toBe("Unsubscribe: [redacted link]");
  });

  it("finds keys by their vendors' prefixes", () => {
    const mail = [
      "Live key: sk_live_51Hc8kLm2N3o4P5q6R7s8T9u",
      "OpenAI: sk-proj-aB3dE5fG7hJ9kL1mN3pQ5rS7tU9",
      "GitHub: ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
      "Slack bot: xoxb-1234567890-0987654321-AbCdEfGhIjKl",
      "AWS: AKIAIOSFODNN7EXAMPLE",
    ].join("\n");
    expect(keys(mail)).toEqual([
      "sk_live_51Hc8kLm2N3o4P5q6R7s8T9u",
      "sk-proj-aB3dE5fG7hJ9kL1mN3pQ5rS7tU9",
      "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
      "xoxb-1234567890-0987654321-AbCdEfGhIjKl",
      "AKIAIOSFODNN7EXAMPLE",
    ]);
    expect(redact(mail)).not.toMatch(/sk_live|sk-proj|ghp_|xoxb|AKIA/);
  });

  it("finds a long random token after the word key, token or secret, and not an ordinary word", () => {
    expect(keys("Your API key:\n  3f9a7c21e8b44d0f9a6e5c3b2d1f0a9e\n")).toEqual(["3f9a7c21e8b44d0f9a6e5c3b2d1f0a9e"]);
    expect(keys("Secret access key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).toEqual(["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]);
    expect(keys("Your token expires in 30 days. The key to success is documentation.")).toEqual([]);
  });
});

describe("an HTML-only vendor mail", () => {
  it("is read as text, its code and link found, and redacted everywhere", async () => {
    const raw = [
      "From: Acme Cloud <no-reply@acme-cloud.example>",
      "To: mission@bot.example",
      "Subject: Verify your email",
      "Message-ID: <v1@acme-cloud.example>",
      "MIME-Version: 1.0",
      "Content-Type: text/html; charset=utf-8",
      "",
      '<html><body><table><tr><td><h1>Verify your email</h1><p>Your verification code is:</p><p style="font-size:32px"><strong>604 218</strong></p>',
      '<p>Or click <a href="https://acme-cloud.example/email/confirm?code=604218&amp;sig=9b8a7c6d5e4f3a2b1c0d">this link</a>.</p>',
      "<p>Acme Cloud, 100 Main St, San Francisco, CA 94107 · +1 (415) 555-0100</p></td></tr></table></body></html>",
    ].join("\r\n");
    const parsed = await simpleParser(raw);
    const text = parsed.text ?? "";
    expect(codes(text)).toEqual(["604 218"]);
    expect(links(text)).toEqual(["https://acme-cloud.example/email/confirm?code=604218&sig=9b8a7c6d5e4f3a2b1c0d"]);
    const redacted = redact(text);
    expect(redacted).not.toMatch(/604 ?218|9b8a7c6d/);
    expect(redacted).toContain("94107");
    expect(redacted).toContain("[redacted code]");
  });
});

describe("more vendors' mails", () => {
  it("a sign-in mail with a code in the subject line style and a magic link", () => {
    const mail = [
      "Sign in to Vercel",
      "",
      "Hi mission-bot,",
      "",
      "To complete your sign in, enter this verification code: 3Q9-W7X",
      "",
      "Or sign in with this link: https://vercel.example/login/magic?token=a8Fk2LmQ9zXp4RtY7wNc&email=mission%40bot.example",
      "",
      "This code expires on November 24, 2026 at 09:15 UTC. Need help? support@vercel.example",
    ].join("\n");
    expect(extractSecrets(mail)).toEqual([
      { kind: "code", value: "3Q9-W7X" },
      { kind: "link", value: "https://vercel.example/login/magic?token=a8Fk2LmQ9zXp4RtY7wNc&email=mission%40bot.example" },
    ]);
  });

  it("a receipt is not a verification mail: nothing is taken, nothing redacted", () => {
    const mail = [
      "Receipt from Namecheap #2026-1124-0042",
      "Amount paid: $12.00",
      "Date paid: Nov 24, 2026, 9:41:07 AM",
      "Payment method: Visa - 4242",
      "Domain: acme-crm.example (1 year), order ID 99812345",
      "Questions? Visit https://www.namecheap.example/support or call 1-888-555-0199.",
    ].join("\n");
    expect(extractSecrets(mail)).toEqual([]);
    expect(redact(mail)).toBe(mail);
  });
});

describe("a hostile reply costs little (linear time: a quadratic scan would not finish)", () => {
  const big = 150_000;
  it.each([
    ["many code words on one line", "code ".repeat(big / 5)],
    ["a code word and a long run of spaces", `order${" ".repeat(big)}code`],
    ["one long word", "a".repeat(big)],
    ["one long number", "1".repeat(big)],
    ["many short numbers", "1234 ".repeat(big / 5)],
    ["key words and spaces", `key${" ".repeat(big)}: x`],
    ["many attributions", "On Monday Bob wrote:\n".repeat(big / 20)],
  ])("%s", (_name, text) => {
    expect(extractSecrets(text).filter((s) => s.kind !== "code")).toEqual([]);
    expect(redact(text).length).toBeGreaterThan(0);
  });
});
