/**
 * What dist/index.js runs (action.yml `runs.main`): the Action's main(), and
 * a failed step with the error's message when it throws. Started with
 * PROXY_FLAG, the same bundle is the metering proxy's background process
 * (mode `proxy` starts it). Bundled by scripts/bundle.mjs (`npm run package`).
 */
import { run } from "./action.js";
import { PROXY_FLAG, serveProxy } from "./proxy/daemon.js";

if (process.argv[2] === PROXY_FLAG) {
  serveProxy(process.argv[3] ?? "").catch((error: unknown) => {
    console.error(`mission-bot proxy: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
} else {
  void run();
}
