/**
 * The README's pictures of what the bot writes on GitHub, taken from the
 * bot's own markdown: a mission rehearsed in the sandbox (the real app
 * against the GitHub twin), its plan comment, its dashboard while features
 * run, and its completion report, rendered as GitHub renders issue markdown
 * (markdown-it with GitHub's stylesheet, Mermaid for ```mermaid blocks) in
 * Debian's Chromium and saved as PNGs. Run by `npm run pictures`.
 */
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import MarkdownIt from "markdown-it";
import { chromium } from "playwright-core";
import { Sandbox, APP_BOT } from "../../src/sandbox/sandbox.js";
import { lineSource, runSession } from "../../src/sandbox/session.js";

const require = createRequire(import.meta.url);
const css = readFileSync(require.resolve("github-markdown-css/github-markdown-light.css"), "utf8");
const mermaidJs = require.resolve("mermaid/dist/mermaid.min.js");

const md = new MarkdownIt({ html: true, linkify: true });
const fence = md.renderer.rules.fence!;
md.renderer.rules.fence = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  if (token.info.trim() === "mermaid") return `<pre class="mermaid">${md.utils.escapeHtml(token.content)}</pre>`;
  return fence(tokens, idx, options, env, self);
};

/** Markdown as GitHub shows it in an issue: task list boxes drawn, hidden comments hidden. */
export function renderHtml(markdown: string, title: string): string {
  const body = md
    .render(markdown)
    .replace(/<li>\[ \] /g, '<li class="task-list-item"><input type="checkbox" disabled> ')
    .replace(/<li>\[x\] /gi, '<li class="task-list-item"><input type="checkbox" disabled checked> ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${md.utils.escapeHtml(title)}</title>
<style>${css}
body { background: #fff; margin: 0; }
.frame { max-width: 880px; margin: 0 auto; padding: 24px; }
.who { font: 600 14px -apple-system, "Segoe UI", sans-serif; color: #1f2328; border: 1px solid #d1d9e0; border-bottom: 0; border-radius: 6px 6px 0 0; background: #f6f8fa; padding: 8px 16px; }
.markdown-body { border: 1px solid #d1d9e0; border-radius: 0 0 6px 6px; padding: 16px; }
.task-list-item { list-style: none; } .task-list-item input { margin: 0 .3em 0 -1.4em; }
</style></head><body><div class="frame"><div class="who">${md.utils.escapeHtml(title)}</div><article class="markdown-body">${body}</article></div></body></html>`;
}

export interface Picture {
  name: string;
  title: string;
  markdown?: string;
  /** a page drawn directly (the Project board, whose pictures are GitHub's own UI) */
  html?: string;
}

/**
 * The mission's Project board as its "Mission board" view groups it: one
 * column per `Mission status`, a card per item with its fields. Drawn from
 * the board the bot kept on the twin (GitHub's own page is not available
 * here), so it shows what the board holds, not GitHub's styling.
 */
export function renderBoard(title: string, columns: string[], cards: Array<{ status: string; title: string; number: number; fields: Record<string, string> }>): string {
  const e = md.utils.escapeHtml;
  const column = (name: string) => {
    const mine = cards.filter((c) => c.status === name);
    return `<section class="col"><h2>${e(name)} <span>${mine.length}</span></h2>${mine
      .map((c) => `<div class="card"><div class="t">#${c.number} ${e(c.title)}</div><div class="f">${Object.entries(c.fields).map(([k, v]) => `<span>${e(k)}: <b>${e(v)}</b></span>`).join("")}</div></div>`)
      .join("")}</section>`;
  };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${e(title)}</title><style>
body { margin: 0; font: 14px -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #f6f8fa; }
header { padding: 12px 20px; background: #fff; border-bottom: 1px solid #d1d9e0; font-weight: 600; }
header small { color: #59636e; font-weight: 400; margin-left: 8px; }
main { display: flex; gap: 12px; padding: 16px 20px; align-items: flex-start; }
.col { background: #eff2f5; border: 1px solid #d1d9e0; border-radius: 8px; width: 230px; padding: 8px; }
.col h2 { font-size: 14px; margin: 4px 4px 8px; } .col h2 span { color: #59636e; font-weight: 400; }
.card { background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; padding: 8px; margin-bottom: 8px; }
.t { font-weight: 600; margin-bottom: 6px; } .f span { display: inline-block; font-size: 12px; color: #59636e; margin: 0 8px 2px 0; }
</style></head><body><header>${e(title)}<small>Mission board view · columns by Mission status</small></header><main>${columns.map(column).join("")}</main></body></html>`;
}

/** A mission rehearsed from /mission to completion; what the bot wrote at the three moments people look. */
export async function missionPictures(): Promise<Picture[]> {
  let out = "";
  const sandbox = await Sandbox.start({ env: {}, title: "Bookmarks app", print: (s) => void (out += s), warn: () => {} });
  try {
    const say = (lines: string[]) => runSession(sandbox, lineSource([...lines, "/quit"]), { interactive: false, print: () => {} });
    await say(["/mission Build a small bookmarks app --mode poc --budget $40 --hours 12 --tokens 8M", "/mission answer", "constraints: no new runtime dependencies", "preferences: plain server-rendered pages", ""]);
    const comments = () => [...sandbox.twin.comments.values()].filter((c) => c.user.login === APP_BOT).sort((a, b) => a.id - b.id);
    const plan = comments().reverse().find((c) => /MISSION PLAN/i.test(c.body));
    await say(["/mission approve", "/mission project", ""]);
    const running = sandbox.twin.issue(sandbox.tracking, sandbox.repo).body ?? "";
    // the board while features run, as the dashboard above
    const project = [...sandbox.twin.projects.byKey.values()][0];
    const board: Picture[] = [];
    if (project) {
      const status = project.fields.find((f) => f.name === "Mission status");
      const shown = ["Kind", "Mission milestone", "Size", "Spent $", "Attempts"];
      const cards = project.items.map((item) => ({
        status: String(sandbox.twin.projects.valueOf(project, item, "Mission status") ?? "No status"),
        title: item.issue.title.replace(/^\[[^\]]+\]\s*/, ""),
        number: item.issue.number,
        fields: Object.fromEntries(shown.flatMap((name) => {
          const v = sandbox.twin.projects.valueOf(project, item, name);
          return v === undefined || v === "" ? [] : [[name, String(v)]];
        })),
      }));
      const columns = (status?.options ?? []).map((o) => o.name).filter((n) => cards.some((c) => c.status === n));
      board.push({ name: "board", title: `Project: ${project.title}`, html: renderBoard(project.title, columns, cards) });
    }
    await sandbox.runUntilSettled();
    const last = comments().filter((c) => sandbox.twin.issuesById.get(c.issueId)?.number === sandbox.tracking).at(-1);
    if (!plan || !last) throw new Error(`the rehearsal did not produce a plan and a last comment:\n${out.slice(-3000)}`);
    return [
      ...board,
      { name: "plan", title: "mission-bot commented: the plan", markdown: plan.body },
      { name: "dashboard", title: "Tracking issue: the dashboard while features run", markdown: running },
      { name: "completion", title: "mission-bot commented: the mission is complete", markdown: last.body },
    ];
  } finally {
    await sandbox.stop();
  }
}

export async function takePictures(dir: string, executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const pictures = await missionPictures();
  const browser = await chromium.launch({ executablePath, args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });
  const written: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 928, height: 800 }, deviceScaleFactor: 1 });
    for (const p of pictures) {
      await page.setContent(p.html ?? renderHtml(p.markdown ?? "", p.title), { waitUntil: "load" });
      if (p.markdown?.includes("```mermaid")) {
        await page.addScriptTag({ path: mermaidJs });
        await page.evaluate(async () => {
          const m = (globalThis as unknown as { mermaid: { initialize(o: object): void; run(): Promise<void> } }).mermaid;
          m.initialize({ startOnLoad: false, securityLevel: "strict" });
          await m.run();
        });
      }
      const file = join(dir, `${p.name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      written.push(file);
    }
  } finally {
    await browser.close();
  }
  return written;
}
