/**
 * The dashboard's static files: uPlot's script and stylesheet straight from
 * node_modules (no CDN: the CSP allows this server only), and our own script
 * and stylesheet. Read once; served with their hash as ETag.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CLIENT_SCRIPT, STYLESHEET } from "./client-script.js";

export interface Asset {
  type: string;
  body: Buffer;
  etag: string;
}

function asset(type: string, body: Buffer | string): Asset {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { type, body: bytes, etag: `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 27)}"` };
}

export function loadAssets(): Map<string, Asset> {
  const uplot = join(dirname(createRequire(import.meta.url).resolve("uplot")), "..", "dist");
  return new Map([
    ["uPlot.iife.min.js", asset("text/javascript; charset=utf-8", readFileSync(join(uplot, "uPlot.iife.min.js")))],
    ["uPlot.min.css", asset("text/css; charset=utf-8", readFileSync(join(uplot, "uPlot.min.css")))],
    ["dashboard.js", asset("text/javascript; charset=utf-8", CLIENT_SCRIPT)],
    ["dashboard.css", asset("text/css; charset=utf-8", STYLESHEET)],
  ]);
}
