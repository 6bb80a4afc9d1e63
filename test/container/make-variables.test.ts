// Operator values given to `make` are data: a client name or password holding quotes, $, ; or
// $(shell ...) must reach the CLI unchanged and never run as shell or make code (issue 10, item 5).
// Drives the real Makefile; no container is started (NO_START=1, and set-admin-password leaves a
// stopped client stopped), but the CLI asks the engine whether the port's container exists.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import dotenv from 'dotenv';
import { verifyPassword } from '../../app/domain/password-hash.ts';
import { freePort, OpsHome, REPO } from '../support/ops.ts';

const home = new OpsHome();

function make(args: string[]) {
  const r = spawnSync('make', ['--no-print-directory', '-C', REPO, ...args], {
    encoding: 'utf8',
    // This test's Node first: the recipes run `node scripts/clientctl.ts`.
    env: { ...home.env(), PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` },
  });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe('make variables never run as code', () => {
  after(async () => {
    await home.cleanup();
  });

  test('NAME with a shell payload and PASSWORD with $ are stored exactly; nothing runs', async () => {
    const port = await freePort(47000 + Math.floor(Math.random() * 2000));
    const marker = path.join(home.dir, 'PWNED');
    const marker2 = path.join(home.dir, 'PWNED-make');
    const name = `Corban"; touch ${marker}; echo "x`;

    const added = make(['add-client', `PORT=${port}`, `NAME=${name}`, 'NO_START=1']);
    assert.equal(existsSync(marker), false, 'the shell payload in NAME ran');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, new RegExp(`client ${port} \\(Corban"; touch .*\\) created, not started`));
    const config = dotenv.parse(readFileSync(home.configFile(port), 'utf8'));
    assert.equal(config.CLIENT_NAME, name);

    const set = make(['set-admin-password', `PORT=${port}`, 'PASSWORD=Senha$egura2024']);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /console password changed/);
    const hash = dotenv.parse(readFileSync(home.configFile(port), 'utf8')).ADMIN_PASSWORD_HASH;
    assert.equal(verifyPassword('Senha$egura2024', hash), true, 'the hash is of the password as typed');
    assert.equal(verifyPassword('Senhagura2024', hash), false);

    // make's own syntax is not evaluated either (make would run $(shell) to export the variable).
    const payload = `$(shell touch ${marker2})x`;
    const set2 = make(['set-admin-password', `PORT=${port}`, `PASSWORD=${payload}`]);
    assert.equal(set2.code, 0, set2.stderr);
    assert.equal(existsSync(marker2), false, 'make evaluated $(shell ...) in PASSWORD');
    const hash2 = dotenv.parse(readFileSync(home.configFile(port), 'utf8')).ADMIN_PASSWORD_HASH;
    assert.equal(verifyPassword(payload, hash2), true);
  });

  test('a bad PORT from make is refused by the CLI with its own message', () => {
    const r = make(['config', 'PORT=6000; touch x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: PORT .*not a number/);
  });
});
