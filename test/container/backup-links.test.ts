// A client's container can write logs/<PORT> (and its data volume): a link planted there must never
// make the root-run backup archive what it points to, nor the restore write through it (issue 10,
// item 6). The backup needs no running client; the restore starts one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import dotenv from 'dotenv';
import { extractTar } from '../../scripts/lib/archive.ts';
import { freePort, OpsHome } from '../support/ops.ts';

function allText(dir: string): string {
  let text = '';
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    if (lstatSync(p).isFile()) text += readFileSync(p, 'utf8');
  }
  return text;
}

describe('backup and restore never follow a link out of a client folder', () => {
  const home = new OpsHome();
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'cltv8-backups-links-'));
  const look = mkdtempSync(path.join(os.tmpdir(), 'cltv8-look-links-'));
  let a = 0;
  let b = 0;
  let archive = '';

  before(async () => {
    a = await freePort(41000 + Math.floor(Math.random() * 2000));
    b = await freePort(a + 1);
    for (const port of [a, b]) {
      const r = await home.ctl(['add-client', '--port', String(port), '--no-start']);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    await home.cleanup();
    rmSync(outDir, { recursive: true, force: true });
    rmSync(look, { recursive: true, force: true });
  });

  test("a link in logs/<PORT> to another client's config.env is not archived", async () => {
    const logDir = path.join(home.dir, 'logs', String(a));
    writeFileSync(path.join(logDir, 'notes.log'), 'a real log line\n');
    symlinkSync(home.configFile(b), path.join(logDir, 'stolen.log'));
    const secretOfB = dotenv.parse(readFileSync(home.configFile(b), 'utf8')).API_TOKEN ?? '';
    assert.ok(secretOfB.length > 20);

    const r = await home.ctl(['backup', '--port', String(a), '--out', outDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`skipped logs/${a}/stolen.log: not a regular file`));
    archive = /backup written to (\S+\.tar\.gz)/.exec(r.stdout)?.[1] ?? '';
    assert.ok(existsSync(archive), r.stdout);

    await extractTar(archive, look);
    assert.equal(existsSync(path.join(look, 'logs', 'stolen.log')), false);
    assert.equal(readFileSync(path.join(look, 'logs', 'notes.log'), 'utf8'), 'a real log line\n');
    const manifest = JSON.parse(readFileSync(path.join(look, 'manifest.json'), 'utf8'));
    assert.deepEqual(Object.keys(manifest.files).sort(), ['client/config.env', 'logs/notes.log']);
    assert.ok(!allText(look).includes(secretOfB), "client B's API token is nowhere in A's archive");
  });

  test('a forged archive holding a link is refused before anything changes', async () => {
    const forgedDir = mkdtempSync(path.join(os.tmpdir(), 'cltv8-forged-'));
    try {
      spawnSync('cp', ['-a', `${look}/.`, forgedDir]);
      symlinkSync(home.configFile(b), path.join(forgedDir, 'logs', 'evil.log'));
      const forged = path.join(outDir, 'forged.tar.gz');
      assert.equal(spawnSync('tar', ['-czf', forged, '-C', forgedDir, '.']).status, 0);
      const before = readFileSync(home.configFile(a), 'utf8');
      const r = await home.ctl(['restore', '--file', forged, '--force']);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, /holds members that are not regular files .*nothing was changed/);
      assert.equal(readFileSync(home.configFile(a), 'utf8'), before);
    } finally {
      rmSync(forgedDir, { recursive: true, force: true });
    }
  });

  test('restore replaces a link planted in logs/<PORT> instead of writing through it', async () => {
    const victim = path.join(home.dir, 'victim.txt');
    writeFileSync(victim, 'root-owned file the link points to\n');
    rmSync(path.join(home.dir, 'clients', String(a)), { recursive: true, force: true });
    const logDir = path.join(home.dir, 'logs', String(a));
    rmSync(path.join(logDir, 'notes.log'));
    symlinkSync(victim, path.join(logDir, 'notes.log'));

    const r = await home.ctl(['restore', '--file', archive]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(readFileSync(victim, 'utf8'), 'root-owned file the link points to\n');
    assert.ok(lstatSync(path.join(logDir, 'notes.log')).isFile(), 'the link was replaced by the file');
    assert.equal(readFileSync(path.join(logDir, 'notes.log'), 'utf8'), 'a real log line\n');
  });
});
