/**
 * `mission-bot register --url https://<host> [--org <org>]`: registers the
 * mission-bot GitHub App from app.yml through GitHub's manifest flow and
 * writes its credentials to `.env`. Probot's own setup flow would register
 * the webhook at `<host>/`; the App's webhook route is
 * `<host>/api/github/webhooks`.
 *
 * The flow (docs.github.com, "Registering a GitHub App from a manifest"):
 * a page on 127.0.0.1 posts the manifest to GitHub's "new App" form with a
 * `state`; the person confirms there; GitHub redirects back with a `code`
 * (valid one hour) and the same `state`; `POST /app-manifests/{code}/conversions`
 * answers the App's id, key, webhook secret and OAuth client, once.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { CliCommand, CliIo } from "../cli.js";
import { readPackageFile } from "./setup-files.js";

export const WEBHOOK_PATH = "/api/github/webhooks";

const USAGE = `Usage: mission-bot register --url <https://host> [--org <org>] [--port <port>] [--force]

Registers the mission-bot GitHub App with app.yml's permissions and events
and the webhook address <url>${WEBHOOK_PATH}, through GitHub's manifest flow:
open the address it prints, confirm on GitHub, and the App's id, private key,
webhook secret and OAuth client are written to .env (mode 600) in the current
directory.

  --url <https://host>  where the App will be reached (the server's public address)
  --org <org>           register it for an organisation (default: your account)
  --port <port>         the local port of the flow's page (default 3000)
  --force               replace an .env that already has an APP_ID
GitHub Enterprise Server: set GHE_HOST (and GHE_PROTOCOL).
`;

export const registerCommand: CliCommand = {
  summary: "register the mission-bot GitHub App from app.yml and write .env",
  usage: USAGE,
  run,
};

/** GitHub's answer to the manifest conversion: only what .env needs, checked. */
const Conversion = z.object({
  id: z.number().int().positive(),
  slug: z.string().min(1),
  html_url: z.string().url(),
  pem: z.string().includes("PRIVATE KEY"),
  webhook_secret: z.string().min(1).nullable(),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
});

/** The manifest: app.yml as GitHub takes it, with the addresses this deployment has. */
export async function appManifest(url: string, redirectUrl: string): Promise<Record<string, unknown>> {
  const app = parseYaml(await readPackageFile("app.yml")) as Record<string, unknown>;
  const base = url.replace(/\/+$/, "");
  return {
    name: app.name,
    url: app.url,
    description: app.description,
    public: app.public ?? false,
    default_permissions: app.default_permissions,
    default_events: app.default_events,
    hook_attributes: { url: `${base}${WEBHOOK_PATH}`, active: true },
    redirect_url: redirectUrl,
    callback_urls: [`${base}/dashboard/auth/callback`],
    request_oauth_on_install: false,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface RegisterDeps {
  /** where GitHub's web pages are (default https://github.com, or GHE_HOST's) */
  webBase?: string;
  /** GitHub's API (default https://api.github.com, or GHE_HOST's /api/v3) */
  apiBase?: string;
  /** told the local page's address once it listens */
  onListening?: (address: string) => void;
}

async function run(args: string[], io: CliIo, deps: RegisterDeps = {}): Promise<number> {
  let values: { url?: string; org?: string; port?: string; force?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { url: { type: "string" }, org: { type: "string" }, port: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (error) {
    io.stderr(`mission-bot register: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const url = z.string().url().safeParse(values.url);
  if (!url.success || !/^https:\/\//.test(url.data) || new URL(url.data).pathname.replace(/\/+$/, "") !== "" || new URL(url.data).search) {
    io.stderr(`mission-bot register: --url must be the server's public https address, e.g. https://bot.example.com (not ${JSON.stringify(values.url ?? "")}): GitHub sends webhooks to <url>${WEBHOOK_PATH}.\n`);
    return 2;
  }
  if (values.org !== undefined && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(values.org)) {
    io.stderr(`mission-bot register: --org must be an organisation's login, not ${JSON.stringify(values.org)}.\n`);
    return 2;
  }
  const port = values.port === undefined ? 3000 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`mission-bot register: --port must be a port number, not ${JSON.stringify(values.port)}.\n`);
    return 2;
  }
  const envPath = join(io.cwd, ".env");
  const existing = existsSync(envPath) ? await readFile(envPath, "utf8") : "";
  if (/^APP_ID=\S/m.test(existing) && !values.force) {
    io.stderr(`mission-bot register: ${envPath} already has an APP_ID: the App is registered. Give --force to register another and replace it.\n`);
    return 1;
  }

  const env = io.env ?? process.env;
  const ghe = env.GHE_HOST ? `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}` : null;
  const webBase = deps.webBase ?? ghe ?? "https://github.com";
  const apiBase = deps.apiBase ?? (ghe ? `${ghe}/api/v3` : "https://api.github.com");
  const state = randomBytes(24).toString("base64url");

  const result = await new Promise<{ ok: true; conversion: z.infer<typeof Conversion> } | { ok: false; message: string }>((resolve) => {
    let server: Server;
    const finish = (value: { ok: true; conversion: z.infer<typeof Conversion> } | { ok: false; message: string }) => {
      server.close();
      resolve(value);
    };
    server = createServer((req, res) => {
      const here = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const at = new URL(req.url ?? "/", here);
      res.setHeader("Content-Security-Policy", "default-src 'none'; form-action " + webBase + "; style-src 'unsafe-inline'");
      res.setHeader("Referrer-Policy", "no-referrer");
      if (req.method === "GET" && at.pathname === "/") {
        void appManifest(url.data, `${here}/registered`).then((manifest) => {
          const target = `${webBase}${values.org ? `/organizations/${values.org}` : ""}/settings/apps/new?state=${state}`;
          res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
          res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Register mission-bot</title></head><body>
<h1>Register the mission-bot GitHub App</h1>
<p>Webhooks will go to <code>${escapeHtml(String((manifest.hook_attributes as { url: string }).url))}</code>.</p>
<form action="${escapeHtml(target)}" method="post"><input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(manifest))}"><button type="submit">Register on GitHub</button></form>
</body></html>`);
        });
        return;
      }
      if (req.method === "GET" && at.pathname === "/registered") {
        const given = Buffer.from(at.searchParams.get("state") ?? "");
        const expected = Buffer.from(state);
        const code = at.searchParams.get("code") ?? "";
        if (given.length !== expected.length || !timingSafeEqual(given, expected) || !/^[A-Za-z0-9_-]{1,200}$/.test(code)) {
          res.writeHead(400, { "Content-Type": "text/plain; charset=utf-8" });
          res.end("This is not the answer to the registration this page started.");
          return;
        }
        void fetch(`${apiBase}/app-manifests/${code}/conversions`, { method: "POST", headers: { Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28" } })
          .then(async (answer) => {
            const body: unknown = await answer.json().catch(() => null);
            const parsed = Conversion.safeParse(body);
            if (answer.status !== 201 || !parsed.success) {
              res.writeHead(502, { "Content-Type": "text/plain; charset=utf-8" });
              res.end("GitHub did not register the App: see the terminal.");
              finish({ ok: false, message: `GitHub answered ${answer.status} for POST app-manifests/{code}/conversions${parsed.success ? "" : " without the App's credentials"}: the code is valid for one hour and only once; run register again` });
              return;
            }
            res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
            res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mission-bot registered</title></head><body><h1>Registered</h1><p>Install it: <a href="${escapeHtml(parsed.data.html_url)}/installations/new">${escapeHtml(parsed.data.html_url)}/installations/new</a>. You can close this page.</p></body></html>`);
            finish({ ok: true, conversion: parsed.data });
          })
          .catch((error: unknown) => {
            res.writeHead(502).end();
            finish({ ok: false, message: `could not reach GitHub at ${apiBase}: ${(error as Error).message}` });
          });
        return;
      }
      res.writeHead(404).end();
    });
    server.listen(port, "127.0.0.1", () => {
      const address = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      io.stdout(`Open ${address} in your browser and confirm on GitHub. Waiting…\n`);
      deps.onListening?.(address);
    });
  });

  if (!result.ok) {
    io.stderr(`mission-bot register: ${result.message}\n`);
    return 1;
  }
  const c = result.conversion;
  const keep = existing
    .split("\n")
    .filter((line) => !/^(APP_ID|PRIVATE_KEY|PRIVATE_KEY_PATH|WEBHOOK_SECRET|GITHUB_CLIENT_ID|GITHUB_CLIENT_SECRET)=/.test(line))
    .join("\n")
    .trimEnd();
  const lines = [
    `APP_ID=${c.id}`,
    `PRIVATE_KEY=${Buffer.from(c.pem).toString("base64")}`,
    `WEBHOOK_SECRET=${c.webhook_secret ?? ""}`,
    `GITHUB_CLIENT_ID=${c.client_id}`,
    `GITHUB_CLIENT_SECRET=${c.client_secret}`,
  ];
  // a new file (mode 600 from its creation) put in place of the old one: the key is never readable by others, even briefly
  const fresh = `${envPath}.${process.pid}.tmp`;
  await writeFile(fresh, `${keep ? `${keep}\n` : ""}${lines.join("\n")}\n`, { mode: 0o600, flag: "wx" });
  await rename(fresh, envPath);
  io.stdout(
    `Registered ${c.slug} (App id ${c.id}); its credentials are in ${envPath} (readable by you only).\n` +
      `Next: start the server (npm start, or the container image with --env-file .env), then install the App: ${c.html_url}/installations/new\n`,
  );
  return 0;
}

/** For tests: the command with GitHub's addresses replaced. */
export function registerWith(deps: RegisterDeps): CliCommand["run"] {
  return (args, io) => run(args, io, deps);
}
