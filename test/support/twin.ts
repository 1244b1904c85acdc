/**
 * The GitHub twin as tests build it: every request checked against GitHub's
 * published REST description (`@octokit/openapi`, test/support/contract.ts),
 * and, with `checkResponses`, every answer too. The twin itself (src/twin/)
 * ships with the product and knows nothing of the description, a 385 MB
 * development dependency; tests inject it here.
 *
 *   const twin = contractTwin({ checkResponses: true });
 */
import { GitHubTwin, type TwinContract, type TwinOptions } from "../../src/twin/state.js";
import { checkRequest, checkResponse, description, resolveRoute } from "./contract.js";
import { testClock } from "./clock.js";
import { serverProfile } from "../../src/twin/profile.js";

/** GitHub's REST description (api.github.com), in the shape the twin asks for. */
export const githubContract: TwinContract = { resolveRoute, checkRequest, checkResponse };

/** The REST description of a server profile (github.com, ghec, ghes-3.17 … ghes-3.19; ghes-3.20 is checked against 3.19's). */
export function contractFor(server: TwinOptions["server"]): TwinContract {
  const name = serverProfile(server).description;
  if (name === "api.github.com") return githubContract;
  const d = description(name);
  return { resolveRoute: d.resolveRoute, checkRequest: d.checkRequest, checkResponse: d.checkResponse };
}

/**
 * A twin that checks every request against GitHub's REST description — the
 * server profile's own (`server: "ghes-3.19"` checks against GHES 3.19's) —
 * on the test clock (test/support/clock.ts) unless given one.
 */
export function contractTwin(options: Omit<TwinOptions, "contract"> = {}): GitHubTwin {
  return new GitHubTwin({ now: testClock(), ...options, contract: contractFor(options.server) });
}
