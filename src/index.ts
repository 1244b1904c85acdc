/** Entry point for `probot run` (the server, src/server.ts, is the recommended one: it checks its settings first). */
import { createMissionApp } from "./app.js";

export default createMissionApp().app;
