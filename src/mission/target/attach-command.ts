/**
 * `/mission attach owner/repo` and `/mission attach --create owner/name
 * [--template owner/template]`: the grammar. Every name is checked against
 * GitHub's naming rules (zod) before anything is asked of GitHub. Pure.
 */
import { z } from "zod";
import { RepoName } from "./target.js";
import { quotedText } from "../markdown/escape.js";

export const AttachCommand = z.discriminatedUnion("create", [
  z.strictObject({ name: z.literal("attach"), create: z.literal(false), repo: RepoName }),
  z.strictObject({ name: z.literal("attach"), create: z.literal(true), repo: RepoName, template: RepoName.optional() }),
]);
export type AttachCommand = z.infer<typeof AttachCommand>;

export const ATTACH_USAGE = "/mission attach owner/repo | /mission attach --create owner/name [--template owner/template]";

export const ATTACH_DESCRIPTION =
  "Set where a mission that has no code yet builds (its target repository); `--create` makes the repository first (from a template when given). Workers, validation and pull requests run there; the issues and mission.md stay here.";

export type AttachParse = { ok: true; command: AttachCommand } | { ok: false; error: string };

/** The words after `/mission attach`. */
export function parseAttach(rest: string): AttachParse {
  const words = rest.split(/\s+/).filter(Boolean);
  if (!words.length) return { ok: false, error: "`/mission attach` needs the repository to build in, like `/mission attach acme/shop`." };
  let create = false;
  let template: string | undefined;
  const names: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const [flag, inline] = w.startsWith("--") ? w.split("=", 2) : [undefined, undefined];
    if (flag === "--create") {
      if (inline !== undefined) return { ok: false, error: "`--create` takes no value: `/mission attach --create owner/name`." };
      create = true;
    } else if (flag === "--template") {
      const value = inline ?? words[++i];
      if (!value || value.startsWith("--")) return { ok: false, error: "`--template` needs the template repository, like `--template acme/starter`." };
      if (template !== undefined) return { ok: false, error: "`--template` is given twice." };
      template = value;
    } else if (flag !== undefined) {
      return { ok: false, error: `${quotedText(w)} is not an option of \`/mission attach\`: the options are \`--create\` and \`--template owner/template\`.` };
    } else {
      names.push(w);
    }
  }
  if (names.length !== 1) {
    return { ok: false, error: names.length ? `\`/mission attach\` takes one repository, but got ${quotedText(names.join(" "))}.` : "`/mission attach` needs the repository to build in, like `/mission attach acme/shop`." };
  }
  if (template !== undefined && !create) return { ok: false, error: "`--template` is for a repository the bot creates: `/mission attach --create owner/name --template owner/template`." };
  const repo = names[0]!;
  if (!RepoName.safeParse(repo).success) return { ok: false, error: `${quotedText(repo)} is not a repository: name it owner/name, like acme/shop.` };
  if (template !== undefined && !RepoName.safeParse(template).success) return { ok: false, error: `${quotedText(template)} is not a template repository: name it owner/name, like acme/starter.` };
  const parsed = AttachCommand.safeParse(create ? { name: "attach", create, repo, ...(template ? { template } : {}) } : { name: "attach", create, repo });
  if (!parsed.success) return { ok: false, error: "`/mission attach` could not read that." };
  return { ok: true, command: parsed.data };
}
