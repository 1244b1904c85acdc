/**
 * What the tracking issue is told, once, when GitHub will not let the bot
 * use the mission's Project board. Pure.
 */
import { inlineText } from "../markdown/escape.js";
import type { ProjectRef } from "./model.js";
import { BOARD_RETRY_MS, projectUrl } from "./board.js";

export function boardUnreachable(project: ProjectRef, refusal: { status: number | undefined; message: string }, serverUrl: string): string {
  const url = projectUrl(serverUrl, project);
  const why =
    project.owner_type === "user"
      ? `It is owned by the user ${project.owner}: a GitHub App's installation token cannot reach a user's project (only an organisation's), so the bot cannot keep this board. Use an organisation's project, or \`/mission project\` to make one.`
      : refusal.status === 404
        ? `Either the project does not exist, or the App may not see it: the App must be installed on ${project.owner} with the organisation permission **Projects: read and write** (\`organization_projects\`).`
        : refusal.status === 403 || refusal.status === 401
          ? `The App needs the organisation permission **Projects: read and write** (\`organization_projects\`); an organisation owner grants it on the App's installation page. A workflow's GITHUB_TOKEN can never reach a project.`
          : "GitHub refused a change to the board.";
  return [
    `**The mission's Project board cannot be updated:** ${url} (GitHub answered ${refusal.status ?? "an error"}: ${inlineText(refusal.message)}).`,
    "",
    `${why} The mission goes on without the board; the bot tries again in ${Math.round(BOARD_RETRY_MS / 60_000)} minutes.`,
  ].join("\n");
}

export function boardCreated(project: ProjectRef, serverUrl: string): string {
  return `**Project board made for this mission:** ${projectUrl(serverUrl, project)}. Its fields and views are added, and its cards follow the mission, as the mission runs.`;
}

export function boardNotCreated(owner: string, message: string): string {
  return [
    `**The Project board could not be made** in ${inlineText(owner)} (GitHub answered: ${inlineText(message)}).`,
    "",
    "The App makes projects for organisations only, with the organisation permission **Projects: read and write** (`organization_projects`); a user's repository cannot have one made by the App. The mission goes on without a board; `/mission project` asks again.",
  ].join("\n");
}
