/**
 * Which Chromium the browser checks drive, and how. Playwright never
 * downloads a browser here: the executable is the system's.
 *
 * In order: `CHROMIUM_PATH` when set (it must exist); `CHROME_BIN`, which
 * GitHub's ubuntu runner images set to their preinstalled Google Chrome
 * (/usr/bin/google-chrome; actions/runner-images,
 * images/ubuntu/scripts/build/install-google-chrome.sh); else the first of
 * CHROMIUM_CANDIDATES that exists: Google Chrome first (the runner's
 * /usr/bin/chromium is a bare snapshot without Chrome's setuid sandbox), then
 * Debian's chromium package, /usr/bin/chromium. Chromium's
 * sandbox needs a user other than root, so `--no-sandbox` is passed only
 * when running as root (a container); never otherwise.
 */
export const CHROMIUM_CANDIDATES = ["/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/usr/bin/chromium", "/usr/bin/chromium-browser"];

export interface FoundChromium {
  path: string;
  /** where the path came from, for the log */
  from: string;
}

export function findChromium(env: Record<string, string | undefined>, exists: (path: string) => boolean): FoundChromium {
  const explicit = env.CHROMIUM_PATH?.trim();
  if (explicit) {
    if (!exists(explicit)) throw new Error(`CHROMIUM_PATH is ${explicit}, which does not exist`);
    return { path: explicit, from: "CHROMIUM_PATH" };
  }
  const runner = env.CHROME_BIN?.trim();
  if (runner && exists(runner)) return { path: runner, from: "CHROME_BIN" };
  const found = CHROMIUM_CANDIDATES.find(exists);
  if (found) return { path: found, from: "the system's browsers" };
  throw new Error(`no Chromium or Chrome found (CHROMIUM_PATH, CHROME_BIN, ${CHROMIUM_CANDIDATES.join(", ")}): install one, e.g. apt-get install chromium`);
}

/** Chromium's arguments: no sandbox only as root, where Chromium refuses to start with one. */
export function chromiumArgs(uid: number | undefined): string[] {
  return uid === 0 ? ["--no-sandbox"] : [];
}
