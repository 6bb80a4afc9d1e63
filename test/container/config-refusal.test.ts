// A client whose config is missing, invalid or declares another port refuses to start, says why
// (file + key, never a value), and no other client notices.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { docker, freePort, OpsHome, TEST_IMAGE } from '../support/ops.ts';

const SECRET = 'CANARY-secret-in-bad-config-9d1e';

function validConfig(port: number, extra = ''): string {
  return `PORT=${port}\nCLIENT_NAME=Refusal Test\nAPI_TOKEN=${'t'.repeat(32)}\nV8_PASSWORD=${SECRET}\n${extra}`;
}

/** Runs the image once with the given config dir and returns its exit code and output. */
async function runOnce(port: number, configDir: string | undefined, logDir: string) {
  const name = `cltv8t-refusal-${port}`;
  const args = ['run', '--name', name, '--read-only', '--user', '10001:10001', '-e', `PORT=${port}`];
  if (configDir) args.push('-v', `${configDir}:/app/config:ro`);
  args.push('-v', `${logDir}:/app/logs`, TEST_IMAGE);
  const r = docker(args);
  docker(['rm', '-f', name]);
  return r;
}

describe('a bad config makes only that client refuse to start', () => {
  const home = new OpsHome();
  let healthyPort = 0;
  const work = mkdtempSync(path.join(os.tmpdir(), 'cltv8-refusal-'));

  before(async () => {
    healthyPort = await freePort(26000 + Math.floor(Math.random() * 3000));
    const r = await home.ctl(['add-client', '--port', String(healthyPort), '--name', 'Vizinho']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await home.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  // Each pattern must match on its own: every bad key is named in the one line.
  const cases: { name: string; file?: (port: number) => string; expect: RegExp[] }[] = [
    { name: 'missing file', expect: [/"key":"\(file\)","reason":"file not found/] },
    {
      name: 'invalid values',
      file: (port) => validConfig(port, 'V8_PROVIDER=BANCO_X\nV8_AUTH_URL=not a url\nAPI_TOKEN=short\n'),
      expect: [/"key":"API_TOKEN"/, /"key":"V8_AUTH_URL"/, /"key":"V8_PROVIDER"/],
    },
    {
      name: 'another PORT declared',
      file: (port) => validConfig(port + 1),
      expect: [/"key":"PORT","reason":"declares \d+ but this container runs on port \d+"/],
    },
  ];

  for (const c of cases) {
    test(`${c.name}: exits non-zero before listening, one clear line, no secret`, async () => {
      const port = await freePort(30000 + Math.floor(Math.random() * 3000));
      const dir = path.join(work, c.name.replace(/\W+/g, '-'));
      const cfgDir = path.join(dir, 'config');
      const logDir = path.join(dir, 'logs');
      mkdirSync(cfgDir, { recursive: true });
      mkdirSync(logDir, { recursive: true });
      chmodSync(logDir, 0o777);
      if (c.file) writeFileSync(path.join(cfgDir, `config-${port}.env`), c.file(port), { mode: 0o644 });
      const r = await runOnce(port, cfgDir, logDir);
      assert.equal(r.code, 1, `expected exit 1, got ${r.code}: ${r.stdout}${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      const line = lines[0] ?? '';
      assert.match(line, /configuration rejected, not starting/);
      assert.match(line, new RegExp(`/app/config/config-${port}\\.env`));
      for (const expected of c.expect) assert.match(line, expected);
      assert.ok(!line.includes(SECRET));
      assert.equal(r.stdout.includes('listening'), false);
      assert.match(readFileSync(path.join(logDir, `error-${port}.log`), 'utf8'), /configuration rejected/);
      // The neighbour did not notice.
      const res = await fetch(`http://127.0.0.1:${healthyPort}/health`);
      assert.equal(res.status, 200);
    });
  }

  test('a valid config in the same image starts and listens (control for the cases above)', async () => {
    const port = await freePort(33000 + Math.floor(Math.random() * 3000));
    const cfgDir = path.join(work, 'valid');
    mkdirSync(cfgDir, { recursive: true });
    writeFileSync(path.join(cfgDir, `config-${port}.env`), validConfig(port), { mode: 0o644 });
    let container: StartedTestContainer | undefined;
    try {
      container = await new GenericContainer(TEST_IMAGE)
        .withEnvironment({ PORT: String(port) })
        .withBindMounts([{ source: cfgDir, target: '/app/config', mode: 'ro' }])
        .withTmpFs({ '/app/logs': 'rw,mode=1777' })
        .withExposedPorts(port)
        .withWaitStrategy(Wait.forHttp('/health', port).forStatusCode(200))
        .start();
      // Details of /health are for the token holder (without it: liveness only).
      const res = await fetch(`http://127.0.0.1:${container.getMappedPort(port)}/health`, {
        headers: { authorization: `Bearer ${'t'.repeat(32)}` },
      });
      const body = (await res.json()) as { port: number };
      assert.equal(body.port, port);
    } finally {
      await container?.stop();
    }
  });
});
