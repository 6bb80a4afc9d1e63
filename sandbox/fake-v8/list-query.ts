import { parseQueryDate } from './dates.ts';

export interface ListWindow {
  window: { startDate?: number; endDate?: number };
  limit: number;
  page: number;
}

/**
 * startDate/endDate/limit/page of the list endpoints. All clients send them; the fake defaults
 * missing ones (limit 50, page 1, no window) but rejects malformed values.
 */
export function listWindow(q: Record<string, string>): ListWindow | { errors: string[] } {
  const errors: string[] = [];
  const startDate = parseQueryDate(q.startDate);
  let endDate = parseQueryDate(q.endDate);
  // A bare date as the end of the window means the whole day.
  if (endDate !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(q.endDate ?? '')) endDate += 86_399_999;
  if (Number.isNaN(startDate)) errors.push('startDate must be a valid ISO 8601 date string');
  if (Number.isNaN(endDate)) errors.push('endDate must be a valid ISO 8601 date string');
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  const page = q.page === undefined ? 1 : Number(q.page);
  if (!Number.isInteger(limit) || limit < 1) errors.push('limit must be a positive integer');
  if (!Number.isInteger(page) || page < 1) errors.push('page must be a positive integer');
  if (errors.length > 0) return { errors };
  const window: ListWindow['window'] = {};
  if (startDate !== undefined) window.startDate = startDate;
  if (endDate !== undefined) window.endDate = endDate;
  return { window, limit, page };
}
