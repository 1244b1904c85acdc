#!/usr/bin/env node
/**
 * `npm start`: mission-bot's server (the GitHub App). Reads its settings from
 * the environment (.env.example lists them) and stops with one line and exit
 * code 1 when they are wrong.
 */
import { startServer, StartError } from "./server/start.js";

startServer()
  .then((server) => {
    const stop = () => {
      server.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  })
  .catch((error: unknown) => {
    console.error(`mission-bot: ${error instanceof StartError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
