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
import { checkRequest, checkResponse, resolveRoute } from "./contract.js";
import { testClock } from "./clock.js";

/** GitHub's REST description, in the shape the twin asks for. */
export const githubContract: TwinContract = { resolveRoute, checkRequest, checkResponse };

/** A twin that checks every request against GitHub's REST description, on the test clock (test/support/clock.ts) unless given one. */
export function contractTwin(options: Omit<TwinOptions, "contract"> = {}): GitHubTwin {
  return new GitHubTwin({ now: testClock(), ...options, contract: githubContract });
}
