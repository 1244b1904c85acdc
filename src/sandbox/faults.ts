/**
 * What can go wrong, rehearsed: `--simulate <fault>` (or `/simulate <fault>`
 * in a session) arms one fault for the next time it can happen, and the
 * mission's reaction shows on screen as it would on GitHub.
 */
export const FAULTS = {
  "failing-worker": "the next worker run fails without a report (the bot retries it, then asks for a person)",
  "over-forecast": "the next worker spends three times its feature's forecast (the budget and forecast react)",
  "failed-validation": "the next validation fails a check (the bot opens a fix feature)",
  "lost-webhook": "GitHub loses the next events it should deliver (the pulse finds what they said)",
  "refused-dispatch": "GitHub refuses the next worker dispatch at its secondary rate limit (the bot waits and tries again)",
} as const;

export type Fault = keyof typeof FAULTS;

export function isFault(text: string): text is Fault {
  return Object.hasOwn(FAULTS, text);
}

export const FAULT_HELP = Object.entries(FAULTS)
  .map(([name, what]) => `  ${name.padEnd(18)} ${what}`)
  .join("\n");

/** Faults armed and not yet sprung; each fires once. */
export class ArmedFaults {
  private readonly armed = new Map<Fault, number>();

  arm(fault: Fault): void {
    this.armed.set(fault, (this.armed.get(fault) ?? 0) + 1);
  }

  /** True once per arming: the fault happens now. */
  take(fault: Fault): boolean {
    const n = this.armed.get(fault) ?? 0;
    if (!n) return false;
    if (n === 1) this.armed.delete(fault);
    else this.armed.set(fault, n - 1);
    return true;
  }

  pending(): Fault[] {
    return [...this.armed.keys()];
  }
}
