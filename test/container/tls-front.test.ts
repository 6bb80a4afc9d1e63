// The TLS front (make tls-up, make tls-add-client): a client reached over https through Caddy with a
// certificate of Caddy's internal CA, trusted from the root exported by make tls-ca; the console
// signs in over it (issue 10, item 9). Without that root the certificate is refused.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { docker, freePort, OpsHome, TEST_PREFIX } from '../support/ops.ts';
import { waitFor } from '../support/wait.ts';

interface Answer {
  status: number;
  body: string;
  setCookie: string[];
}

function request(
  url: string,
  ca: string | undefined,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, ...(ca ? { ca } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => {
          const sc = res.headers['set-cookie'] ?? [];
          resolve({ status: res.statusCode ?? 0, body, setCookie: sc });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('TLS front (Caddy, internal CA)', () => {
  const home = new OpsHome();
  let port = 0;
  let tlsPort = 0;
  let password = '';

  before(async () => {
    port = await freePort(36000 + Math.floor(Math.random() * 2000));
    tlsPort = await freePort(52000 + Math.floor(Math.random() * 2000));
    const added = await home.ctl(['add-client', '--port', String(port), '--name', 'Corban TLS']);
    assert.equal(added.code, 0, added.stderr);
    password = /keep it safe\): (\S+)/.exec(added.stdout)?.[1] ?? '';
  });
  after(async () => {
    await home.ctl(['tls-down']);
    docker(['volume', 'rm', `${TEST_PREFIX}-tls_data`, `${TEST_PREFIX}-tls_config`]);
    await home.cleanup();
  });

  test('a client over https through the front, its CA root exported; the console signs in', async () => {
    const up = await home.ctl(['tls-up']);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const add = await home.ctl(['tls-add-client', '--port', String(port), '--tls-port', String(tlsPort)]);
    assert.equal(add.code, 0, `${add.stdout}\n${add.stderr}`);
    assert.match(add.stdout, new RegExp(`https://localhost:${tlsPort}/ -> 127.0.0.1:${port}`));

    const url = `https://localhost:${tlsPort}`;
    // The root certificate exists once Caddy issued the site's certificate.
    const ca = await waitFor(
      async () => (await home.ctl(['tls-ca'])).stdout,
      (pem) => pem.includes('BEGIN CERTIFICATE'),
      60_000,
      () => 'make tls-ca to print the internal CA root',
      500,
    );
    const health = await waitFor(
      () => request(`${url}/health`, ca).catch((e: Error) => ({ status: 0, body: e.message, setCookie: [] })),
      (a) => a.status === 200,
      60_000,
      () => `GET ${url}/health through the TLS front to answer 200`,
      500,
    );
    assert.match(health.body, /"status"|ok/i);

    await assert.rejects(
      request(`${url}/health`, undefined),
      /self[- ]signed|unable to (get|verify)|certificate/i,
    );

    // Console over https: the front says X-Forwarded-Proto https and the client trusts it now.
    const s = await request(`${url}/config-v8/api/session`, ca);
    assert.equal(s.status, 200, s.body);
    const cookie = s.setCookie.map((c) => c.split(';')[0]).join('; ');
    const csrf = (JSON.parse(s.body) as { csrfToken: string }).csrfToken;
    const login = await request(`${url}/config-v8/login`, ca, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ password }),
    });
    assert.equal(login.status, 200, login.body);

    // The same sign-in over plain HTTP through the published port (from the network's gateway, not
    // loopback, inside the container) is refused: the password would travel in clear text.
    const ps = await fetch(`http://127.0.0.1:${port}/config-v8/api/session`);
    const plainCookie = ps.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const plainCsrf = ((await ps.json()) as { csrfToken: string }).csrfToken;
    const plain = await fetch(`http://127.0.0.1:${port}/config-v8/login`, {
      method: 'POST',
      headers: { cookie: plainCookie, 'x-csrf-token': plainCsrf, 'content-type': 'application/json' },
      body: JSON.stringify({ password }),
    });
    assert.equal(plain.status, 403, await plain.text());
  });
});
