/**
 * How often the Actions-only pulse runs, and what that costs. GitHub runs a
 * schedule at most every 5 minutes and is busiest at the top of each hour, so
 * hourly and longer schedules start at minute 17. Each pulse is one job, and
 * GitHub bills every job at least one minute on a private repository.
 * Sources: docs.github.com "Events that trigger workflows" (schedule: "The
 * shortest interval you can run scheduled workflows is once every 5 minutes",
 * "high loads … at the start of every hour"); "About billing for GitHub
 * Actions" (minutes rounded up per job).
 */
export const PULSE_MINUTES: readonly number[] = [5, 10, 15, 20, 30, 60, 120, 180, 360, 720, 1440];

export function pulseCron(minutes: number): string {
  if (minutes < 60) return `*/${minutes} * * * *`;
  if (minutes === 60) return "17 * * * *";
  if (minutes < 1440) return `17 */${minutes / 60} * * *`;
  return "17 6 * * *";
}

/** Runs a day and billed minutes a 30-day month (a private repository; public repositories are not billed). */
export function pulseCost(minutes: number): { runsPerDay: number; billedMinutesPerMonth: number } {
  const runsPerDay = Math.round(1440 / minutes);
  return { runsPerDay, billedMinutesPerMonth: runsPerDay * 30 };
}
