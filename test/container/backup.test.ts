// `make backup`, destroy (remove-client --purge), `make restore`: the client comes back healthy with
// its flows, simulations and console overrides; a restore never replaces an existing client silently.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import dotenv from 'dotenv';
import { extractTar } from '../../scripts/lib/archive.ts';
import { ConsoleSession as Console } from '../support/console-session.ts';
import { docker, freePort, OpsHome, TEST_PREFIX } from '../support/ops.ts';

const CPF = '12345678062';
const OVERRIDE_USER = 'override.user@corban-backup.example';

function sql(port: number, statement: string, ...params: (string | number)[]): unknown[] {
  const js = `const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync('/app/data/store.sqlite', { timeout: 5000 });
const st = db.prepare(process.argv[1]);
const args = JSON.parse(process.argv[2]);
console.log(JSON.stringify(/^\\s*select/i.test(process.argv[1]) ? st.all(...args) : st.run(...args)));`;
  const r = docker(['exec', `${TEST_PREFIX}-${port}`, 'node', '-e', js, statement, JSON.stringify(params)]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown[];
}

describe('make backup / make restore (real containers)', () => {
  const home = new OpsHome();
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'cltv8-backups-'));
  let port = 0;
  let password = '';
  let token = '';
  const flowId = randomUUID();
  let archive = '';
  let firstLogLine = '';
  // Signed in when the backup is taken: the restore must not bring this session back.
  let signedIn: Console;

  before(async () => {
    port = await freePort(21000 + Math.floor(Math.random() * 10000));
    const r = await home.addConsoleClient(port, 'Corban Backup Ltda');
    assert.equal(r.code, 0, r.stderr);
    password = /keep it safe\): (\S+)/.exec(r.stdout)?.[1] ?? '';
    token = dotenv.parse(readFileSync(home.configFile(port), 'utf8')).API_TOKEN ?? '';
  });

  after(async () => {
    await home.cleanup();
    rmSync(outDir, { recursive: true, force: true });
  });

  const api = (p: string) =>
    fetch(`http://127.0.0.1:${port}/api/v1${p}`, { headers: { authorization: `Bearer ${token}` } });

  test('data written through the console API and into the store is in the archive (0600, path printed)', async () => {
    const c = new Console(`http://127.0.0.1:${port}`);
    await c.login(password);
    signedIn = c;
    const saved = await c.call('POST', '/config-v8/api/credentials', {
      V8_USERNAME: OVERRIDE_USER,
      V8_PASSWORD: 'override-password-backup-1',
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const now = Date.now();
    sql(
      port,
      `INSERT INTO flows (id, cpf, status, outcome, reason, step, next_run_at, created_at, updated_at, finished_at)
       VALUES (?, ?, 'completed', 'no_margin', 'written before the backup', 'margin', ?, ?, ?, ?)`,
      flowId,
      CPF,
      now,
      now,
      now,
      now,
    );
    // Written last, right before the backup: still only in the WAL, which the copy must include.
    sql(
      port,
      `INSERT INTO simulations (cpf, source, installments, installment_value, disbursed_amount, margin, created_at, updated_at)
       VALUES (?, 'manual', 24, 150.5, 2500, 512.37, ?, ?)`,
      CPF,
      now,
      now,
    );

    firstLogLine = home.readLog(port, 'combined').split('\n')[0] ?? '';
    assert.ok(firstLogLine.length > 0);
    const started = Date.now();
    const r = await home.ctl(['backup', '--port', String(port), '--out', outDir]);
    assert.equal(r.code, 0, r.stderr);
    console.log(`backup of a running client: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    archive = /backup written to (\S+\.tar\.gz)/.exec(r.stdout)?.[1] ?? '';
    assert.ok(archive.startsWith(outDir) && existsSync(archive), r.stdout);
    assert.equal(statSync(archive).mode & 0o777, 0o600);

    const look = mkdtempSync(path.join(os.tmpdir(), 'cltv8-look-'));
    try {
      await extractTar(archive, look);
      const manifest = JSON.parse(readFileSync(path.join(look, 'manifest.json'), 'utf8'));
      assert.equal(manifest.format, 'clt-v8-backup');
      assert.equal(manifest.port, port);
      assert.equal(manifest.client, 'Corban Backup Ltda');
      assert.match(manifest.store, /VACUUM INTO/);
      for (const f of [
        'client/config.env',
        'data/store.sqlite',
        'data/config-overrides.json',
        `logs/combined-${port}.log`,
      ]) {
        assert.ok(manifest.files[f], `${f} listed`);
        assert.ok(existsSync(path.join(look, f)), `${f} present`);
      }
      assert.ok(!existsSync(path.join(look, 'data/store.sqlite-wal')), 'a single consistent file, no WAL');
    } finally {
      rmSync(look, { recursive: true, force: true });
    }
  });

  test('destroyed, then restored: healthy, with its flow, simulation and console overrides', async () => {
    const gone = await home.ctl(['remove-client', '--port', String(port), '--purge']);
    assert.equal(gone.code, 0, gone.stderr);
    assert.notEqual(docker(['volume', 'inspect', `${TEST_PREFIX}-${port}_data`]).code, 0);
    assert.ok(!existsSync(home.configFile(port)));

    const started = Date.now();
    const r = await home.ctl(['restore', '--file', archive]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    console.log(`restore: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.match(r.stdout, new RegExp(`client ${port} restored from .* and healthy after`));
    assert.equal(statSync(home.configFile(port)).mode & 0o777, 0o640);

    const flows = (await (await api(`/flows?cpf=${CPF}`)).json()) as {
      items: { id: string; outcome: string }[];
    };
    assert.deepEqual(
      flows.items.map((f) => [f.id, f.outcome]),
      [[flowId, 'no_margin']],
    );
    const sims = sql(port, 'SELECT cpf, installments, margin FROM simulations WHERE cpf = ?', CPF);
    assert.deepEqual(sims, [{ cpf: CPF, installments: 24, margin: 512.37 }]);
    const config = (await (await api('/config')).json()) as { keys: { key: string; source: string }[] };
    const src = Object.fromEntries(config.keys.map((k) => [k.key, k.source]));
    assert.equal(src.V8_USERNAME, 'override');
    assert.equal(src.V8_PASSWORD, 'override');
    assert.equal(
      (await signedIn.call('GET', '/config-v8/api/config')).status,
      401,
      'the session open at backup time did not come back with the restore',
    );
    // Same console password, same API token as before the disaster.
    await new Console(`http://127.0.0.1:${port}`).login(password);
    assert.ok(
      home.readLog(port, 'combined').startsWith(`${firstLogLine}\n`),
      'its old log lines came back too',
    );
  });

  test('never over an existing client: running refused, stopped only with FORCE (after a backup of it)', async () => {
    const running = await home.ctl(['restore', '--file', archive]);
    assert.equal(running.code, 2);
    assert.match(running.stderr, /exists and is running; a restore never replaces a running client/);

    assert.equal((await home.ctl(['down', '--port', String(port)])).code, 0);
    const stopped = await home.ctl(['restore', '--file', archive]);
    assert.equal(stopped.code, 2, stopped.stderr);
    assert.match(stopped.stderr, /already exists .*nothing was changed/);
    assert.match(stopped.stderr, /FORCE=1 replaces a stopped client/);

    const wrongPort = await home.ctl(['restore', '--file', archive, '--port', String(port + 1)]);
    assert.equal(wrongPort.code, 2);
    assert.match(wrongPort.stderr, new RegExp(`is a backup of client ${port}, not ${port + 1}`));

    const forced = await home.ctl(['restore', '--file', archive, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /its current state was backed up to \S+ before being replaced/);
    assert.equal((await api('/flows')).status, 200);
  });
});
