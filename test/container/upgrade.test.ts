// `make upgrade IMAGE=`: clients recreated one at a time; a client the new image breaks is rolled
// back (here the broken image even leaves a store the previous image refuses, so its data comes back
// from the copy taken before), the upgrade stops and says why. Then a good image upgrades everyone.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { docker, freePort, OpsHome, TEST_IMAGE, TEST_PREFIX } from '../support/ops.ts';

const REPO_TAG = `cltv8t-upgrade-${randomBytes(3).toString('hex')}`;
const CURRENT = `${REPO_TAG}:latest`;
const BROKEN = `${REPO_TAG}-next:broken`;
const GOOD = `${REPO_TAG}-next:good`;

function imageIdOf(ref: string): string {
  const r = docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
  assert.equal(r.code, 0, `${ref}: ${r.stderr}`);
  return r.stdout.trim();
}

function containerOf(port: number): { image: string; startedAt: string; health: string } {
  const r = docker([
    'inspect',
    '--format',
    '{{.Image}}|{{.State.StartedAt}}|{{.State.Status}}',
    `${TEST_PREFIX}-${port}`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const [image = '', startedAt = '', health = ''] = r.stdout.trim().split('|');
  return { image, startedAt, health };
}

/** An image of the service whose entry, for one port, writes a store version from the future and exits. */
function buildImage(tag: string, brokenPort: number | undefined): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cltv8-upgrade-img-'));
  try {
    const poison = `const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync('/app/data/store.sqlite');
db.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from-the-future', 0)");`;
    writeFileSync(
      path.join(dir, 'entry.sh'),
      `#!/bin/sh
if [ "$PORT" = "${brokenPort ?? 'none'}" ]; then
  node -e "${poison.replaceAll('"', '\\"')}"
  echo "broken on purpose for port $PORT" >&2
  exit 3
fi
exec node dist/app/main.js
`,
    );
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      `FROM ${TEST_IMAGE}
USER root
COPY entry.sh /usr/local/bin/test-entry
RUN chmod 0755 /usr/local/bin/test-entry
USER 10001:10001
LABEL org.clt-v8.test-image="${tag}"
CMD ["/usr/local/bin/test-entry"]
`,
    );
    const r = docker(['build', '-q', '-t', tag, dir]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('make upgrade (real containers)', () => {
  const home = new OpsHome();
  const env = { CLT_V8_IMAGE: CURRENT, HEALTH_TIMEOUT_S: '45' };
  let ports: number[] = [];
  let baseId = '';

  before(async () => {
    assert.equal(docker(['tag', TEST_IMAGE, CURRENT]).code, 0);
    baseId = imageIdOf(CURRENT);
    let from = 21000 + Math.floor(Math.random() * 9000);
    for (let i = 0; i < 3; i++) {
      const p = await freePort(from);
      ports.push(p);
      from = p + 1;
    }
    ports = ports.sort((a, b) => a - b);
    buildImage(BROKEN, ports[1]);
    buildImage(GOOD, undefined);
    for (const p of ports) {
      const r = await home.ctl(['add-client', '--port', String(p)], env);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    await home.cleanup();
    for (const ref of [BROKEN, GOOD, CURRENT, `${REPO_TAG}:previous`, `${REPO_TAG}:failed`]) {
      docker(['rmi', ref]);
    }
    for (const p of ports) docker(['rmi', `${REPO_TAG}:rollback-${p}`]);
  });

  test('a client the new image breaks is rolled back (with its data) and the upgrade stops, non-zero', async () => {
    const [p1, p2, p3] = ports as [number, number, number];
    const before3 = containerOf(p3);
    const brokenId = imageIdOf(BROKEN);
    const started = Date.now();
    const r = await home.ctl(['upgrade', '--image', BROKEN], env);
    console.log(`upgrade with a rollback: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stderr,
      new RegExp(`upgrade stopped at client ${p2}: it did not become healthy on the new image`),
    );
    assert.match(r.stderr, /broken on purpose/, 'its last log lines say why');
    assert.match(
      r.stderr,
      new RegExp(
        `client ${p2} was rolled back to ${REPO_TAG}:previous \\(\\w+\\), with its data volume as it was before the upgrade, and is healthy again`,
      ),
    );
    assert.match(r.stderr, new RegExp(`upgraded: ${p1}; not upgraded: ${p3}\\.`));
    assert.match(r.stdout, new RegExp(`client ${p1}: healthy on the new image`));

    assert.equal(containerOf(p1).image, brokenId, 'the first client was upgraded');
    assert.equal(containerOf(p2).image, baseId, 'the broken client is back on the previous image');
    assert.deepEqual(containerOf(p3), before3, 'the client after it was not touched');
    for (const p of ports) assert.equal((await fetch(`http://127.0.0.1:${p}/health`)).status, 200);
    // Tags: the current tag points at the previous image again; the new one is kept apart.
    assert.equal(imageIdOf(CURRENT), baseId);
    assert.equal(imageIdOf(`${REPO_TAG}:previous`), baseId);
    assert.equal(imageIdOf(`${REPO_TAG}:failed`), brokenId);
  });

  test('a good image then upgrades every client, one at a time, and keeps the previous one tagged', async () => {
    const goodId = imageIdOf(GOOD);
    const started = Date.now();
    const r = await home.ctl(['upgrade', '--image', GOOD], env);
    console.log(`upgrade of 3 clients: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const order = ports.map((p) => r.stdout.indexOf(`client ${p}: healthy on the new image`));
    assert.ok(
      order.every((i) => i >= 0),
      r.stdout,
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      'in port order, one after the other',
    );
    for (const p of ports) {
      assert.equal(containerOf(p).image, goodId);
      assert.equal((await fetch(`http://127.0.0.1:${p}/health`)).status, 200);
    }
    assert.equal(imageIdOf(CURRENT), goodId);
    assert.equal(imageIdOf(`${REPO_TAG}:previous`), baseId);
    assert.match(r.stdout, /upgrade done: 3 client\(s\) recreated/);
  });

  test('IMAGE must exist on this machine', async () => {
    const r = await home.ctl(['upgrade', '--image', `${REPO_TAG}-missing:nope`], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not on this machine/);
  });
});
