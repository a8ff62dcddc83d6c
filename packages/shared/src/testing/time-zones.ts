/**
 * Zones where calendar code tends to break: UTC, two with DST changes (Paris, Los Angeles), a
 * half-hour offset (Kolkata), a 45-minute one (Kathmandu) and Lord Howe's half-hour DST.
 */
export const TRICKY_TIME_ZONES = [
  'UTC',
  'Europe/Paris',
  'America/Los_Angeles',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
] as const;
