/** Entry point for `probot run` (npm start): the mission-bot GitHub App. */
import app from "./app.js";

export default app;
