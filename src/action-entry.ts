/**
 * What dist/index.js runs (action.yml `runs.main`): the Action's main(), and
 * a failed step with the error's message when it throws. Bundled by
 * scripts/bundle.mjs (`npm run package`).
 */
import * as core from "@actions/core";
import { main } from "./action.js";

main().catch((error: unknown) => {
  core.setFailed(error instanceof Error ? error.message : String(error));
});
