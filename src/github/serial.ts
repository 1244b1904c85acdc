/**
 * One piece of work at a time per mission in this process. Commands queue in
 * order; a reconcile requested while another reconcile already waits joins
 * it, so a burst of events (the bot's own issue creations, redeliveries)
 * costs one extra reconcile, not one per event.
 */
export class Serial {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waitingReconcile = new Map<string, Promise<void>>();

  /** Run `task` after everything queued for `key`. */
  run(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Like run, but joins a reconcile of `key` that is already waiting to start. */
  reconcile(key: string, task: () => Promise<void>): Promise<void> {
    const waiting = this.waitingReconcile.get(key);
    if (waiting) return waiting;
    const promise = this.run(key, async () => {
      this.waitingReconcile.delete(key);
      await task();
    });
    this.waitingReconcile.set(key, promise);
    return promise;
  }
}
