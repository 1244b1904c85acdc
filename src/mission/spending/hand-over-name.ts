/**
 * The name of the Actions secret a code reaches a worker run by:
 * `MISSION_HANDOVER_<feature issue>_<KIND>`. The worker workflow reads it as
 * `secrets[format('MISSION_HANDOVER_{0}_CODE', inputs.issue)]`: a secret
 * name is letters, digits and `_`, and the feature issue's number is the one
 * input that is both unique to the feature and a valid part of a name. Pure.
 */
export const HAND_OVER_KINDS = ["CODE", "LINK", "KEY"] as const;
export type HandOverKind = (typeof HAND_OVER_KINDS)[number];

export function handOverKind(kind: string): HandOverKind {
  const upper = kind.toUpperCase();
  return (HAND_OVER_KINDS as readonly string[]).includes(upper) ? (upper as HandOverKind) : "CODE";
}

export function handOverSecretName(issue: number, kind: string): string {
  return `MISSION_HANDOVER_${issue}_${handOverKind(kind)}`;
}
