import { BlockList, isIP } from 'node:net';

/**
 * Which V8 URLs (V8_AUTH_URL, V8_BASE_URL) the console may set. The token request carries the
 * stored V8 login and password, and every later call a bearer token: a URL typed into the console
 * must not be able to send them anywhere but V8. The config file (written by the operator on the
 * host) may point anywhere, e.g. at the sandbox's fake V8; the console may only pick that value,
 * the schema default, or another https host of V8's own domain.
 */
export const V8_DOMAIN = 'v8sistema.com';

export const V8_URL_REASON = `deve ser https://<serviço>.${V8_DOMAIN} (ou o valor do arquivo de configuração)`;

/** Same URL once parsed ("https://A.v8sistema.com" equals "https://a.v8sistema.com/"). */
export function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

/**
 * Why `value` is not an acceptable V8 URL typed into the console, or null when it is. The host is
 * checked by name only; whether it resolves to a public address is the caller's second check.
 */
export function v8UrlRefusal(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'não é uma URL válida';
  }
  if (u.protocol !== 'https:') return V8_URL_REASON;
  // user:pass@ would be sent as Basic credentials; an explicit port is not V8's service.
  if (u.username !== '' || u.password !== '') return 'não pode conter usuário ou senha';
  if (u.port !== '') return V8_URL_REASON;
  const host = u.hostname.toLowerCase();
  if (!host.endsWith(`.${V8_DOMAIN}`) || host.startsWith('.') || host.includes('..')) return V8_URL_REASON;
  return null;
}

// Loopback, private, link-local, CGNAT, "this network", multicast, reserved, and their IPv6 forms:
// none of them is V8, and all of them are somebody's internal service.
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
  ['::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b:1::', 48],
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** IPv4 written inside IPv6 (::ffff:a.b.c.d, ::ffff:7f00:1, NAT64 64:ff9b::a.b.c.d). */
function embeddedIpv4(ip: string): string | null {
  const lower = ip.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const hi = Number.parseInt(hex[1], 16);
    const lo = Number.parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

/** True only for a well-formed address that is routable on the public internet. */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  if (family === 4) return !NOT_PUBLIC.check(ip, 'ipv4');
  const v4 = embeddedIpv4(ip);
  if (v4 !== null) return isIP(v4) === 4 && !NOT_PUBLIC.check(v4, 'ipv4');
  return !NOT_PUBLIC.check(ip, 'ipv6');
}
