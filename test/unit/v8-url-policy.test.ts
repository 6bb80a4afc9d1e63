import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { test } from 'node:test';
import { guardedLookup, type HostResolver, resolvesToPublic } from '../../app/adapters/v8/v8-host-guard.ts';
import { isPublicAddress, sameUrl, v8UrlRefusal } from '../../app/domain/v8-url-policy.ts';

const urls: [string, boolean][] = [
  ['https://auth.v8sistema.com/oauth/token', true],
  ['https://bff.v8sistema.com', true],
  ['https://BFF.V8SISTEMA.COM/', true],
  ['https://a.b.v8sistema.com/x?y=1', true],
  ['https://auth.v8sistema.com:443/oauth/token', true], // the URL parser drops the default port
  ['http://auth.v8sistema.com/oauth/token', false],
  ['https://v8sistema.com/oauth/token', false],
  ['https://auth.v8sistema.com.evil.example/oauth/token', false],
  ['https://evilv8sistema.com/', false],
  ['https://auth.v8sistema.com:8443/', false],
  ['https://u:p@auth.v8sistema.com/', false],
  ['https://u@auth.v8sistema.com/', false],
  ['https://127.0.0.1/oauth/token', false],
  ['https://[::1]/oauth/token', false],
  ['https://localhost/oauth/token', false],
  ['file:///etc/passwd', false],
  ['not a url', false],
  ['', false],
];
for (const [url, ok] of urls) {
  test(`v8UrlRefusal(${JSON.stringify(url)}) ${ok ? 'accepts' : 'refuses'}`, () => {
    assert.equal(v8UrlRefusal(url) === null, ok, String(v8UrlRefusal(url)));
  });
}

const addresses: [string, boolean][] = [
  ['104.16.0.1', true],
  ['8.8.8.8', true],
  ['2606:4700::6810:1', true],
  ['::ffff:104.16.0.1', true],
  ['127.0.0.1', false],
  ['127.255.255.254', false],
  ['0.0.0.0', false],
  ['10.1.2.3', false],
  ['172.16.0.1', false],
  ['172.31.255.255', false],
  ['192.168.0.10', false],
  ['169.254.169.254', false],
  ['100.64.0.1', false],
  ['224.0.0.1', false],
  ['255.255.255.255', false],
  ['::1', false],
  ['::', false],
  ['fe80::1', false],
  ['fd00::1', false],
  ['fc00::1', false],
  ['ff02::1', false],
  ['::ffff:127.0.0.1', false],
  ['::ffff:7f00:1', false],
  ['::ffff:a9fe:a9fe', false],
  ['::127.0.0.1', false],
  ['64:ff9b::10.0.0.1', false],
  ['not-an-ip', false],
];
for (const [ip, pub] of addresses) {
  test(`isPublicAddress(${ip}) is ${pub}`, () => assert.equal(isPublicAddress(ip), pub));
}

test('sameUrl compares parsed URLs', () => {
  assert.equal(sameUrl('https://A.v8sistema.com', 'https://a.v8sistema.com/'), true);
  assert.equal(sameUrl('https://a.v8sistema.com/x', 'https://a.v8sistema.com/y'), false);
  assert.equal(sameUrl('nope', 'nope'), false);
});

const table: Record<string, readonly LookupAddress[]> = {
  'pub.example': [{ address: '104.16.0.1', family: 4 }],
  'both.example': [
    { address: '2606:4700::1', family: 6 },
    { address: '104.16.0.1', family: 4 },
  ],
  'rebind.example': [
    { address: '104.16.0.1', family: 4 },
    { address: '127.0.0.1', family: 4 },
  ],
  'fake-v8': [{ address: '172.18.0.3', family: 4 }],
};
const resolver: HostResolver = async (host) => {
  const found = table[host];
  if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return found;
};

function lookupOnce(
  host: string,
  options: { all?: boolean; family?: number },
): Promise<{ err: NodeJS.ErrnoException | null; address?: unknown; family?: number }> {
  const lookup = guardedLookup(resolver, (h) => h === 'fake-v8');
  return new Promise((resolve) =>
    lookup(host, options, (err, address, family) => resolve({ err, address, family })),
  );
}

test('guardedLookup: public names resolve; internal ones only for trusted hosts', async () => {
  assert.deepEqual(await lookupOnce('pub.example', {}), {
    err: null,
    address: '104.16.0.1',
    family: 4,
  });
  const all = await lookupOnce('both.example', { all: true });
  assert.equal(all.err, null);
  assert.deepEqual(all.address, table['both.example']);
  assert.deepEqual((await lookupOnce('both.example', { family: 4 })).address, '104.16.0.1');
  assert.equal((await lookupOnce('rebind.example', { all: true })).err?.code, 'EADDRNOTPUBLIC');
  assert.equal((await lookupOnce('fake-v8', {})).address, '172.18.0.3', 'the config file host is trusted');
  assert.equal((await lookupOnce('missing.example', {})).err?.code, 'ENOTFOUND');
});

test('resolvesToPublic: every address must be public; no answer is no', async () => {
  assert.equal(await resolvesToPublic(resolver, 'pub.example'), true);
  assert.equal(await resolvesToPublic(resolver, 'rebind.example'), false);
  assert.equal(await resolvesToPublic(resolver, 'missing.example'), false);
  assert.equal(await resolvesToPublic(async () => [], 'empty.example'), false);
});
