/**
 * The sandbox's conversation: lines a person types (or a script holds)
 * become comments on the tracking issue, time passing, or the sandbox's own
 * few commands; after each, the terminal shows what changed on GitHub.
 *
 *   /mission …              a comment on the tracking issue, as `you`
 *   /mission answer         the start of an answer: the lines after it, up
 *   mode: poc               to an empty line, are the same comment
 *   (empty line)
 *   (empty line)            time passes: the runners pick up queued runs, a pulse runs
 *   /wait                   time passes until the mission is over or waits for you
 *   /dashboard  /ledger     print the dashboard, the ledger summary
 *   /issue N                print issue N: title, state, labels, body, comments
 *   /edit                   the lines after it, up to a line `/end`, become the
 *                           tracking issue's outline (the dashboard stays)
 *   /simulate <fault>       arm a fault for the next time it can happen (faults.ts)
 *   /help  /quit            this help; stop (the ledger summary is printed)
 *   # …                     a note in a script, skipped
 *   /anything-else          not posted: "not a sandbox command", with the help
 *   anything else           a plain comment on the tracking issue
 *
 * When the input ends without /quit in a script, time passes until the
 * mission is over or waits for a person, then the ledger summary is printed.
 */
import type { Sandbox } from "./sandbox.js";
import { FAULT_HELP, isFault } from "./faults.js";
import { indent, plainText, rule } from "./terminal.js";

export interface LineSource {
  /** the next line, without its end; undefined at the end of the input */
  next(): Promise<string | undefined>;
  /** on a terminal: show the prompt through the line editor (which redraws it with the line) */
  prompt?(text: string): void;
}

/** Lines of an async iterable (a readline interface) or an array. */
export function lineSource(lines: AsyncIterable<string> | Iterable<string>): LineSource {
  const it = Symbol.asyncIterator in lines ? (lines as AsyncIterable<string>)[Symbol.asyncIterator]() : toAsync((lines as Iterable<string>)[Symbol.iterator]());
  return {
    async next() {
      const r = await it.next();
      return r.done ? undefined : r.value.replace(/\r$/, "");
    },
  };
}

function toAsync(it: Iterator<string>): AsyncIterator<string> {
  return { next: async () => it.next() };
}

export const SESSION_HELP = `Type a line and press Enter:
  /mission <goal> [--mode poc|full] [--budget $50] [--hours 10] [--tokens 5M]
                     start the mission on the tracking issue (any /mission command works)
  /mission answer    then one "name: value" line per answer, then an empty line
  (empty line)       let time pass: runners pick up the dispatched runs, a pulse runs
  /wait              let time pass until the mission is over or waits for you
  /dashboard         show the dashboard again
  /ledger            show the ledger summary
  /issue N           show issue N (title, state, labels, body, comments)
  /edit              then the new outline, then a line /end: the tracking issue's
                     outline changes (then /mission replan plans from it)
  /simulate <fault>  make something go wrong the next time it can:
${FAULT_HELP}
  /help              this help
  /quit              stop (the ledger summary is printed)
`;

export interface SessionOptions {
  interactive: boolean;
  print(text: string): void;
}

export async function runSession(sandbox: Sandbox, source: LineSource, options: SessionOptions): Promise<void> {
  const { print, interactive } = options;
  const prompt = (p: string) => {
    if (!interactive) return;
    if (source.prompt) source.prompt(p);
    else print(p);
  };
  /** In a script, the transcript shows what was typed. */
  const echo = (line: string, p = "you> ") => {
    if (!interactive) print(`${p}${line}\n`);
  };

  let quit = false;
  for (;;) {
    prompt("you> ");
    const line = await source.next();
    if (line === undefined) break;
    const text = line.trim();
    if (text.startsWith("#")) continue;
    echo(line);

    if (text === "") {
      if (!(await sandbox.round())) print("(nothing happened: the mission waits for you)\n");
      sandbox.show();
    } else if (/^\/(quit|exit)$/i.test(text)) {
      quit = true;
      break;
    } else if (/^\/help$/i.test(text)) {
      print(SESSION_HELP);
    } else if (/^\/dashboard$/i.test(text)) {
      print(`${rule(`dashboard · tracking issue #${sandbox.tracking}`)}\n${sandbox.dashboard() ?? "(no dashboard yet: start a mission with /mission <goal>)"}\n\n`);
    } else if (/^\/ledger$/i.test(text)) {
      print(`${rule("ledger")}\n${sandbox.ledgerSummary()}\n\n`);
    } else if (/^\/wait$/i.test(text)) {
      await waitForMission(sandbox, print);
    } else if (/^\/edit$/i.test(text)) {
      // an outline has empty lines of its own: it runs to a line `/end` (or the end of the input)
      const block: string[] = [];
      for (;;) {
        prompt("edit> ");
        const more = await source.next();
        if (more === undefined || /^\/end\s*$/i.test(more.trim())) break;
        echo(more, "edit> ");
        block.push(more);
      }
      await sandbox.editOutline(block.join("\n"));
      print(`(the tracking issue's outline now has ${block.length} line${block.length === 1 ? "" : "s"}: /mission replan plans from it)\n`);
      sandbox.show();
    } else if (/^\/issue\b/i.test(text)) {
      print(showIssue(sandbox, text));
    } else if (/^\/simulate\b/i.test(text)) {
      const fault = text.replace(/^\/simulate\s*/i, "").trim();
      if (isFault(fault)) sandbox.simulate(fault);
      else print(`"${fault}" is not a fault the sandbox can simulate. These are:\n${FAULT_HELP}\n`);
    } else if (/^\/(?!mission\b)\S*/i.test(text)) {
      // a typo of a sandbox command is not posted to GitHub as a comment
      print(`${text.split(/\s/)[0]} is not a sandbox command (and was not posted). /mission … talks to the bot; /help lists the rest.\n`);
    } else {
      let comment = line.trimEnd();
      if (/^\/mission\s+answer\b/i.test(text)) {
        // an answer runs to the next empty line (or the end of the input)
        const block = [comment];
        for (;;) {
          prompt("...  ");
          const more = await source.next();
          if (more === undefined || more.trim() === "") break;
          echo(more, "...  ");
          block.push(more);
        }
        comment = block.join("\n");
      }
      await sandbox.say(comment);
      sandbox.show({ dashboard: false }); // the bot's answer first, then what time brings
      await sandbox.round();
      sandbox.show();
    }
  }

  if (!quit && !interactive) {
    print(`${rule("end of the script: time passes until the mission is over or waits for you")}\n`);
    await waitForMission(sandbox, print);
  }
  print(`${rule("ledger")}\n${sandbox.ledgerSummary()}\n`);
}

async function waitForMission(sandbox: Sandbox, print: (s: string) => void): Promise<void> {
  const end = await sandbox.runUntilSettled();
  const status = sandbox.mission()?.status;
  if (end === "finished") print(`(the mission is ${status})\n`);
  else if (end === "waiting") print(`(nothing more happens: the mission${status ? ` is ${status} and` : ""} waits for you)\n`);
  else print("(still going after 100 rounds; /wait again to go on)\n");
}

/** `/issue N`: one issue of the sandbox repository as plain text. */
function showIssue(sandbox: Sandbox, text: string): string {
  const n = Number(/^\/issue\s+#?(\d+)\s*$/i.exec(text)?.[1]);
  const issue = n ? sandbox.twin.issuesOf(sandbox.repo).find((i) => i.number === n) : undefined;
  if (!issue) return `There is no issue ${n ? `#${n}` : "with that number"} in ${sandbox.repo}: /issue N shows issue N.\n`;
  const labels = sandbox.twin.labelNames(issue);
  const comments = [...sandbox.twin.comments.values()].filter((c) => c.issueId === issue.id).sort((a, b) => a.id - b.id);
  return [
    rule(`#${issue.number} ${issue.title} · ${issue.state}${labels.length ? ` · ${labels.join(", ")}` : ""}`),
    indent(plainText(issue.body ?? "")),
    ...comments.flatMap((c) => ["", rule(`${c.user.login} on #${issue.number}`), indent(plainText(c.body))]),
    "",
  ].join("\n");
}
