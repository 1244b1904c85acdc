/**
 * A Dockerfile read as Docker reads it (line continuations, comments, the
 * exec and shell forms), for a test that runs what it says without Docker.
 * Only the instructions this project's Dockerfile uses are understood; any
 * other is an error, so the test cannot silently skip a step.
 */

export type Command = { form: "exec"; argv: string[] } | { form: "shell"; script: string };

export type Instruction =
  | { kind: "FROM"; image: string; as?: string }
  | { kind: "WORKDIR"; path: string }
  | { kind: "COPY"; from?: string; sources: string[]; dest: string }
  | { kind: "RUN"; command: Command }
  | { kind: "ENV"; vars: Record<string, string> }
  | { kind: "USER"; user: string }
  | { kind: "EXPOSE"; ports: string[] }
  | { kind: "HEALTHCHECK"; options: Record<string, string>; command: Command }
  | { kind: "CMD"; command: Command };

export interface Stage {
  image: string;
  name: string | undefined;
  steps: Instruction[];
}

/** Logical lines: comments dropped, `\` continuations joined. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (!current && /^\s*#/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      current += `${line.replace(/\\\s*$/, "")} `;
      continue;
    }
    current += line;
    if (current.trim()) out.push(current.trim());
    current = "";
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

function command(rest: string): Command {
  if (rest.startsWith("[")) {
    const argv = JSON.parse(rest) as unknown;
    if (!Array.isArray(argv) || !argv.every((a) => typeof a === "string")) throw new Error(`not a JSON array of strings: ${rest}`);
    return { form: "exec", argv };
  }
  return { form: "shell", script: rest };
}

/** `--name=value` flags at the start of `rest`, and what follows them. */
function flags(rest: string): { flags: Record<string, string>; rest: string } {
  const out: Record<string, string> = {};
  let r = rest;
  for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(r); m; m = /^--([a-z-]+)=(\S+)\s+/.exec(r)) {
    out[m[1]!] = m[2]!;
    r = r.slice(m[0].length);
  }
  return { flags: out, rest: r };
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of logicalLines(text)) {
    const m = /^([A-Za-z]+)\s+([\s\S]*)$/.exec(line);
    if (!m) throw new Error(`cannot read Dockerfile line: ${line}`);
    const kind = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    if (kind === "FROM") {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!from) throw new Error(`cannot read FROM ${rest}`);
      stages.push({ image: from[1]!, name: from[2], steps: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${kind} before FROM`);
    switch (kind) {
      case "WORKDIR":
        stage.steps.push({ kind, path: rest });
        break;
      case "COPY": {
        const f = flags(rest);
        const unknown = Object.keys(f.flags).filter((k) => k !== "from");
        if (unknown.length) throw new Error(`COPY flags the test does not run: ${unknown.join(", ")}`);
        const parts = f.rest.split(/\s+/);
        stage.steps.push({ kind, ...(f.flags.from ? { from: f.flags.from } : {}), sources: parts.slice(0, -1), dest: parts.at(-1)! });
        break;
      }
      case "RUN":
        stage.steps.push({ kind, command: command(rest) });
        break;
      case "ENV": {
        const vars: Record<string, string> = {};
        for (const pair of rest.match(/\S+=("[^"]*"|\S+)/g) ?? []) {
          const at = pair.indexOf("=");
          vars[pair.slice(0, at)] = pair.slice(at + 1).replace(/^"|"$/g, "");
        }
        stage.steps.push({ kind, vars });
        break;
      }
      case "USER":
        stage.steps.push({ kind, user: rest });
        break;
      case "EXPOSE":
        stage.steps.push({ kind, ports: rest.split(/\s+/) });
        break;
      case "HEALTHCHECK": {
        const f = flags(rest);
        const cmd = /^CMD\s+([\s\S]+)$/.exec(f.rest);
        if (!cmd) throw new Error(`HEALTHCHECK without CMD: ${rest}`);
        stage.steps.push({ kind, options: f.flags, command: command(cmd[1]!.trim()) });
        break;
      }
      case "CMD":
        stage.steps.push({ kind, command: command(rest) });
        break;
      default:
        throw new Error(`the Dockerfile uses ${kind}, which the test does not run: teach test/support/dockerfile.ts`);
    }
  }
  return stages;
}
