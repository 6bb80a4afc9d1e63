import { isIP } from 'node:net';

/**
 * Which peers may tell us the client's address (X-Forwarded-For) and scheme (X-Forwarded-Proto).
 * Only a peer in this list is believed, so a caller that reaches the port directly cannot choose its
 * own address (and with it a fresh per-IP sign-in budget on every request).
 *
 * TRUST_PROXY accepts: false/empty (trust nobody: the default), or a comma- or space-separated list of
 * addresses (10.0.0.5, ::1), CIDR ranges (172.18.0.0/16) and express's names loopback, linklocal,
 * uniquelocal. `true` is kept for old files and now means PRIVATE_PROXIES (loopback and private
 * networks), never "anybody": a public caller's forwarded headers are ignored.
 */
export const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'] as const;
export const PRIVATE_PROXIES: readonly string[] = NAMED_RANGES;

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

export type TrustProxyParse =
  | { readonly ok: true; readonly list: readonly string[] }
  | { readonly ok: false; readonly reason: string };

function entryProblem(entry: string): string | undefined {
  if ((NAMED_RANGES as readonly string[]).includes(entry)) return undefined;
  const [addr = '', prefix, extra] = entry.split('/');
  if (extra !== undefined) return `"${entry}" is not an address or CIDR range`;
  const family = isIP(addr);
  if (family === 0)
    return `"${entry}" is not an IP address, a CIDR range or one of ${NAMED_RANGES.join(', ')}`;
  if (prefix === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `"${entry}": the prefix must be 0-${max}`;
  return undefined;
}

export function parseTrustProxy(text: string | undefined): TrustProxyParse {
  const value = (text ?? '').trim();
  if (value === '' || FALSE.has(value.toLowerCase())) return { ok: true, list: [] };
  if (TRUE.has(value.toLowerCase())) return { ok: true, list: PRIVATE_PROXIES };
  const list = value.split(/[\s,]+/).filter((e) => e !== '');
  for (const entry of list) {
    const problem = entryProblem(entry);
    if (problem) return { ok: false, reason: problem };
  }
  return { ok: true, list: [...new Set(list)] };
}
