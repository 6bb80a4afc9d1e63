const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` (UTC) of an epoch-ms instant. */
export const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export const addDays = (ms: number, days: number): number => ms + days * DAY_MS;

export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

/** A real calendar date in `YYYY-MM-DD` form. */
export function isCalendarDate(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && isoDate(t) === s;
}

/** Whole years between a `YYYY-MM-DD` birth date and `now`. */
export function ageAt(birthDate: string, now: number): number {
  const b = new Date(`${birthDate}T00:00:00Z`);
  const n = new Date(now);
  let age = n.getUTCFullYear() - b.getUTCFullYear();
  const beforeBirthday =
    n.getUTCMonth() < b.getUTCMonth() ||
    (n.getUTCMonth() === b.getUTCMonth() && n.getUTCDate() < b.getUTCDate());
  if (beforeBirthday) age--;
  return age;
}

/** Parses an ISO-8601 date-time (or date) query value; undefined when absent, NaN when invalid. */
export function parseQueryDate(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) return Number.NaN;
  return Date.parse(v);
}
