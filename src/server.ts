#!/usr/bin/env node
/**
 * `npm start`: mission-bot's server (the GitHub App). Reads its settings from
 * the environment (.env.example lists them) and stops with one line and exit
 * code 1 when they are wrong.
 */
import { startServer, StartError, type RunningServer } from "./server/start.js";

// SIGTERM and SIGINT stop the server gracefully from the first moment: one that arrives
// while it starts (right after its banner, say) stops it once it is up.
let running: RunningServer | undefined;
let stopping = false;
const stop = () => {
  stopping = true;
  running?.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

startServer()
  .then((server) => {
    running = server;
    if (stopping) stop();
  })
  .catch((error: unknown) => {
    console.error(`mission-bot: ${error instanceof StartError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
