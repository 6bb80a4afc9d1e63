import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import { buildApp } from '../../app/app.ts';
import { toAppConfig } from '../../app/config/app-config.ts';
import { parseConfigText } from '../../app/config/load-config.ts';
import { parseTrustProxy } from '../../app/domain/trust-proxy.ts';
import { createLogger } from '../../app/logging/logger.ts';

describe('TRUST_PROXY parsing', () => {
  const ok: readonly [string | undefined, readonly string[]][] = [
    [undefined, []],
    ['', []],
    ['false', []],
    ['0', []],
    ['true', ['loopback', 'linklocal', 'uniquelocal']],
    ['YES', ['loopback', 'linklocal', 'uniquelocal']],
    ['10.0.0.5', ['10.0.0.5']],
    ['172.18.0.0/16, 10.0.0.5', ['172.18.0.0/16', '10.0.0.5']],
    ['loopback uniquelocal', ['loopback', 'uniquelocal']],
    ['::1,fd00::/8', ['::1', 'fd00::/8']],
    ['10.0.0.5,10.0.0.5', ['10.0.0.5']],
  ];
  for (const [text, list] of ok) {
    test(`${JSON.stringify(text)} -> ${JSON.stringify(list)}`, () => {
      assert.deepEqual(parseTrustProxy(text), { ok: true, list });
    });
  }
  const bad: readonly [string, RegExp][] = [
    ['proxy.local', /not an IP address/],
    ['10.0.0.0/33', /prefix must be 0-32/],
    ['::1/129', /prefix must be 0-128/],
    ['10.0.0.0/8/1', /not an address or CIDR/],
    ['*', /not an IP address/],
  ];
  for (const [text, reason] of bad) {
    test(`${JSON.stringify(text)} is refused`, () => {
      const r = parseTrustProxy(text);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, reason);
    });
  }

  test('a bad value is a config error naming TRUST_PROXY', () => {
    assert.throws(
      () =>
        parseConfigText(
          'PORT=6555\nCLIENT_NAME=x\nAPI_TOKEN=abcdefghijklmnopqrstuvwxyz\nTRUST_PROXY=anyone\n',
          'c',
        ),
      /TRUST_PROXY/,
    );
  });
});

describe("express's trust proxy of the built app", () => {
  const { logger, redactor } = createLogger({ port: 6555, clientName: 't', level: 'error', stdout: false });
  /** Whether the app believes X-Forwarded-* from a peer at `addr`. */
  function believes(trustProxy: string | undefined, addr: string): boolean {
    const text = `PORT=6555\nCLIENT_NAME=x\nAPI_TOKEN=abcdefghijklmnopqrstuvwxyz\n${
      trustProxy === undefined ? '' : `TRUST_PROXY=${trustProxy}\n`
    }`;
    const config = toAppConfig(parseConfigText(text, 'c'), {
      port: 6555,
      configDir: '/cfg',
      dataDir: '/tmp/unused',
      logDir: '/tmp/unused',
    });
    const clock = new ManualClock();
    const app = buildApp({ config, logger, redactor, clock, startedAt: clock.now() } as Parameters<
      typeof buildApp
    >[0]);
    const fn = app.get('trust proxy fn') as (addr: string, i: number) => boolean;
    return fn(addr, 0);
  }

  test('TRUST_PROXY=true no longer believes a public caller (the port reached directly)', () => {
    assert.equal(believes('true', '203.0.113.7'), false);
    assert.equal(believes('true', '172.18.0.2'), true, 'a proxy on the Docker network');
    assert.equal(believes('true', '127.0.0.1'), true);
  });

  test('a list believes only its members', () => {
    assert.equal(believes('172.18.0.0/16', '172.18.0.2'), true);
    assert.equal(believes('172.18.0.0/16', '172.19.0.2'), false);
    assert.equal(believes('172.18.0.0/16', '203.0.113.7'), false);
    assert.equal(believes('10.0.0.5', '::ffff:10.0.0.5'), true);
  });

  test('by default nobody is believed', () => {
    assert.equal(believes(undefined, '127.0.0.1'), false);
    assert.equal(believes('false', '172.18.0.2'), false);
  });
});
