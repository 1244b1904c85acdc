/**
 * GitHub's clock: the `Date` header of its answers, advanced by the
 * monotonic time since. The loop's decisions compare GitHub's own timestamps
 * (a run's last change, a comment's time) with "now", so "now" is read from
 * GitHub too: a server whose clock is off by minutes still judges a run
 * stuck, a dispatch unseen or a budget hour spent as GitHub would. Before
 * GitHub has answered once, the machine's clock stands in.
 */
import { performance } from "node:perf_hooks";
import type { Octokit } from "./client.js";

export class GitHubClock {
  private server: number | undefined;
  private at = 0;

  constructor(private readonly fallback: () => number = Date.now) {}

  /** Note a `Date` header (1-second resolution): the clock never goes back, but follows GitHub forward. */
  observe(header: string | undefined): void {
    if (!header) return;
    const server = Date.parse(header);
    if (!Number.isFinite(server)) return;
    if (this.server === undefined || server > this.estimate()) {
      this.server = server;
      this.at = performance.now();
    }
  }

  /** What time it is on GitHub (epoch ms). */
  readonly now = (): number => (this.server === undefined ? this.fallback() : this.estimate());

  private estimate(): number {
    return this.server! + Math.floor(performance.now() - this.at);
  }

  /** Read the Date header of every answer (and refusal) `octokit` gets. */
  watch<T extends Octokit>(octokit: T): T {
    if (watched.has(octokit)) return octokit;
    watched.add(octokit);
    octokit.hook.after("request", (response) => this.observe(response.headers.date));
    octokit.hook.error("request", (error) => {
      this.observe((error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers?.date);
      throw error;
    });
    return octokit;
  }
}

const watched = new WeakSet<object>();
