export const DAY_MS = 86_400_000;

/** The UTC midnight (ms) of the day holding `ts`: the bucket every aggregate is kept in. */
export const dayOf = (ts: number): number => ts - (((ts % DAY_MS) + DAY_MS) % DAY_MS);
