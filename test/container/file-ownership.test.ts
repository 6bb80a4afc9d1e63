// The service runs as its own uid/gid 10001, never as the host's first login user (uid 1000): a
// client's folder is root's, its config.env root:10001 0640, and a root-run command never writes
// through a link planted where it puts a temporary file (issue 10, item 4). An install made when
// the service ran as uid 1000 is moved over by make up.
import assert from 'node:assert/strict';
import { lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import dotenv from 'dotenv';
import { verifyPassword } from '../../app/domain/password-hash.ts';
import { docker, freePort, OpsHome, TEST_IMAGE, TEST_PREFIX } from '../support/ops.ts';

const owner = (p: string) => {
  const st = lstatSync(p);
  return { uid: st.uid, gid: st.gid, mode: st.mode & 0o777 };
};

describe('client files belong to root and the service uid 10001', () => {
  const home = new OpsHome();
  after(async () => {
    await home.cleanup();
  });

  test('add-client: folder root 0700, config.env root:10001 0640, logs the service’s', async () => {
    const port = await freePort(43000 + Math.floor(Math.random() * 2000));
    const r = await home.ctl(['add-client', '--port', String(port), '--no-start']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(owner(path.dirname(home.configFile(port))), { uid: 0, gid: 0, mode: 0o700 });
    assert.deepEqual(owner(home.configFile(port)), { uid: 0, gid: 10001, mode: 0o640 });
    assert.deepEqual(owner(path.join(home.dir, 'logs', String(port))), {
      uid: 10001,
      gid: 10001,
      mode: 0o750,
    });
  });

  test('set-admin-password never writes through a link planted at config.env.tmp', async () => {
    const port = await freePort(45000 + Math.floor(Math.random() * 2000));
    assert.equal((await home.ctl(['add-client', '--port', String(port), '--no-start'])).code, 0);
    const victim = path.join(home.dir, 'victim-root-file');
    writeFileSync(victim, 'root-only content\n', { mode: 0o600 });
    const dir = path.dirname(home.configFile(port));
    symlinkSync(victim, path.join(dir, 'config.env.tmp'));

    const r = await home.ctl([
      'set-admin-password',
      '--port',
      String(port),
      '--password',
      'nova-senha-segura-1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(victim, 'utf8'), 'root-only content\n', 'the link target was overwritten');
    assert.deepEqual(owner(victim), { uid: 0, gid: 0, mode: 0o600 }, 'the link target was chowned');
    const hash = dotenv.parse(readFileSync(home.configFile(port), 'utf8')).ADMIN_PASSWORD_HASH;
    assert.equal(verifyPassword('nova-senha-segura-1', hash), true);
    assert.deepEqual(owner(home.configFile(port)), { uid: 0, gid: 10001, mode: 0o640 });
    assert.deepEqual(
      readdirSync(dir).sort(),
      ['config.env', 'config.env.tmp'],
      'no temporary file left behind; the planted link is left alone',
    );
  });

  test('make up moves an install made for uid 1000 to the service uid, and the client runs', async () => {
    const port = await freePort(39000 + Math.floor(Math.random() * 2000));
    assert.equal((await home.ctl(['add-client', '--port', String(port)])).code, 0);
    assert.equal((await home.ctl(['down', '--port', String(port)])).code, 0);
    // As the uid-1000 service left it: files and the whole data volume owned by 1000, config 0600.
    const volume = `${TEST_PREFIX}-${port}_data`;
    const chown = docker([
      'run',
      '--rm',
      '--user',
      '0:0',
      '-v',
      `${volume}:/app/data`,
      '--entrypoint',
      'chown',
      TEST_IMAGE,
      '-R',
      '1000:1000',
      '/app/data',
    ]);
    assert.equal(chown.code, 0, chown.stderr);
    const logDir = path.join(home.dir, 'logs', String(port));
    docker([
      'run',
      '--rm',
      '--user',
      '0:0',
      '-v',
      `${logDir}:/l`,
      '-v',
      `${path.dirname(home.configFile(port))}:/c`,
      '--entrypoint',
      'sh',
      TEST_IMAGE,
      '-c',
      'chown -R 1000:1000 /l /c && chmod 0600 /c/config.env',
    ]);
    assert.equal(statSync(home.configFile(port)).uid, 1000);

    const r = await home.ctl(['up', '--port', String(port)]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
    assert.deepEqual(owner(home.configFile(port)), { uid: 0, gid: 10001, mode: 0o640 });
    assert.equal(owner(logDir).uid, 10001);
    const inVolume = docker([
      'run',
      '--rm',
      '-v',
      `${volume}:/app/data`,
      '--entrypoint',
      'sh',
      TEST_IMAGE,
      '-c',
      'find /app/data ! -user 10001 | wc -l; stat -c %u /app/data/store.sqlite',
    ]);
    assert.deepEqual(inVolume.stdout.trim().split('\n'), ['0', '10001'], inVolume.stderr);
  });
});
