/**
 * V8's list endpoints need a creation-date window (startDate/endDate, ISO-8601 UTC). Callers may
 * give days (YYYY-MM-DD: the whole day) or instants; without them we look back `defaultDays`.
 */
export interface ListWindow {
  readonly startDate: string;
  readonly endDate: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function toInstant(value: string, endOfDay: boolean): string {
  if (DATE_ONLY.test(value)) return `${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`;
  return new Date(value).toISOString();
}

export function listWindow(
  from: string | undefined,
  to: string | undefined,
  now: number,
  defaultDays = 30,
): ListWindow {
  const endDate = to ? toInstant(to, true) : new Date(now).toISOString();
  const startDate = from
    ? toInstant(from, false)
    : new Date(Date.parse(endDate) - defaultDays * DAY_MS).toISOString();
  return { startDate, endDate };
}
