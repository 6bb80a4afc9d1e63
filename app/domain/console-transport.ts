import { isIP } from 'node:net';

/**
 * Whether the console may take a password over this connection: over HTTPS (the TLS front; express
 * says so only when TRUST_PROXY trusts it), from the host itself (loopback: nothing crosses a
 * network), or when the client's config explicitly allows plain HTTP. The peer address is the
 * socket's, never a forwarded header.
 */
export function consoleSignInAllowed(input: {
  readonly secure: boolean;
  readonly remoteAddress: string | undefined;
  readonly allowInsecureHttp: boolean;
}): boolean {
  return input.secure || input.allowInsecureHttp || isLoopback(input.remoteAddress);
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
}
