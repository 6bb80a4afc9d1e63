import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { isPublicAddress } from '../../domain/v8-url-policy.ts';

/** Every address a host name resolves to (the system resolver, or a table in tests). */
export type HostResolver = (host: string) => Promise<readonly LookupAddress[]>;

export const systemResolver: HostResolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => {
      if (err) reject(err);
      else resolve(addresses);
    });
  });

/** Resolves `host` and answers true only when it has addresses and every one of them is public. */
export async function resolvesToPublic(resolve: HostResolver, host: string): Promise<boolean> {
  try {
    const addresses = await resolve(host);
    return addresses.length > 0 && addresses.every((a) => isPublicAddress(a.address));
  } catch {
    return false;
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address?: string | LookupAddress[],
  family?: number,
) => void;

/** The `lookup` function of net/http (and got's `dnsLookup`), as loosely as they call it. */
export type GuardedLookup = (
  hostname: string,
  options: { family?: number | string; all?: boolean } | number | LookupCallback,
  callback?: LookupCallback,
) => void;

/**
 * A `lookup` for outgoing connections that refuses non-public addresses for any host not
 * `trusted` (the hosts of the config file's URLs). It runs at connect time, so a name that
 * resolved to a public address when it was checked cannot switch to an internal one afterwards.
 */
export function guardedLookup(resolve: HostResolver, trusted: (host: string) => boolean): GuardedLookup {
  return (hostname, options, callback) => {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts = typeof options === 'object' && options !== null ? options : {};
    const wanted = typeof options === 'number' ? options : Number(opts.family ?? 0) || 0;
    resolve(hostname).then(
      (all) => {
        const host = hostname.toLowerCase();
        if (!trusted(host) && (all.length === 0 || !all.every((a) => isPublicAddress(a.address)))) {
          const err: NodeJS.ErrnoException = new Error(`${hostname} does not resolve to a public address`);
          err.code = 'EADDRNOTPUBLIC';
          cb(err);
          return;
        }
        const fit = wanted === 0 ? [...all] : all.filter((a) => a.family === wanted);
        if (fit.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`${hostname} has no IPv${wanted} address`);
          err.code = 'ENOTFOUND';
          cb(err);
          return;
        }
        if (opts.all) cb(null, fit);
        else cb(null, fit[0]?.address, fit[0]?.family);
      },
      (err: NodeJS.ErrnoException) => cb(err),
    );
  };
}
