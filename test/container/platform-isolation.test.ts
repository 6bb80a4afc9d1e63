// Two clients side by side, started exactly as an operator would (make add-client), then checked
// from the outside: health, mounts, filesystem, privileges, networks and log files.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  docker,
  dockerJson,
  freePort,
  OpsHome,
  setConfigKeys,
  settleLogs,
  TEST_PREFIX,
} from '../support/ops.ts';
import { waitFor, waitUntil } from '../support/wait.ts';

const CANARY_PASSWORD = 'CANARY-v8-password-7f3a9c';
const CANARY_KENTRO = 'CANARY-kentro-key-51be02';
const CANARY_TOKEN = 'CANARY-api-token-0123456789abcdef';

interface Mount {
  Type: string;
  Source: string;
  Destination: string;
  RW: boolean;
  Name?: string;
}

const home = new OpsHome();
let portA = 0;
let portB = 0;
const name = (port: number) => `${TEST_PREFIX}-${port}`;

// /health describes the client only to a caller with its token (without one: liveness only).
async function health(port: number) {
  const token = /^API_TOKEN=(.*)$/m.exec(readFileSync(home.configFile(port), 'utf8'))?.[1] ?? '';
  const res = await fetch(`http://127.0.0.1:${port}/health`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, text: '' };
}

function execIn(container: string, script: string) {
  return docker(['exec', container, 'node', '-e', script]);
}

describe('two clients side by side', () => {
  before(async () => {
    portA = await freePort(21000 + Math.floor(Math.random() * 4000));
    portB = await freePort(portA + 1);
    for (const [port, nm] of [
      [portA, 'Cliente A'],
      [portB, 'Cliente B'],
    ] as const) {
      const r = await home.ctl(['add-client', '--port', String(port), '--name', nm]);
      assert.equal(r.code, 0, `add-client ${port} failed: ${r.stderr}`);
    }
    // Plant canaries in A's config and apply them the operator's way.
    writeFileSync(
      home.configFile(portA),
      setConfigKeys(home.configFile(portA), {
        V8_USERNAME: 'operador.a@corban-a.com.br',
        V8_PASSWORD: CANARY_PASSWORD,
        KENTRO_API_KEY: CANARY_KENTRO,
        API_TOKEN: CANARY_TOKEN,
      }),
    );
    const r = await home.ctl(['restart', '--port', String(portA)]);
    assert.equal(r.code, 0, `restart failed: ${r.stderr}`);
  });

  after(async () => {
    await home.cleanup();
  });

  test('each /health reports its own port, name and config file', async () => {
    const a = await health(portA);
    const b = await health(portB);
    assert.equal(a.status, 200);
    assert.equal(a.body.port, portA);
    assert.equal(a.body.client, 'Cliente A');
    assert.equal(a.body.configFile, `/app/config/config-${portA}.env`);
    assert.equal(a.body.v8Username, 'op********@corban-a.com.br');
    assert.equal(b.body.port, portB);
    assert.equal(b.body.client, 'Cliente B');
    assert.equal(b.body.configFile, `/app/config/config-${portB}.env`);
  });

  test('mounts are exactly its own config (read-only), its own logs and its own data volume', () => {
    for (const port of [portA, portB]) {
      const mounts = dockerJson<Mount[]>(['inspect', '--format', '{{json .Mounts}}', name(port)]);
      const byDest = new Map(mounts.map((m) => [m.Destination, m]));
      assert.equal(mounts.length, 3, JSON.stringify(mounts));
      const cfg = byDest.get(`/app/config/config-${port}.env`);
      assert.equal(cfg?.Type, 'bind');
      assert.equal(cfg?.Source, home.configFile(port));
      assert.equal(cfg?.RW, false);
      const logs = byDest.get('/app/logs');
      assert.equal(logs?.Source, `${home.dir}/logs/${port}`);
      assert.equal(logs?.RW, true);
      const data = byDest.get('/app/data');
      assert.equal(data?.Type, 'volume');
      assert.equal(data?.Name, `${name(port)}_data`);
    }
  });

  test('the config path cannot be written, the root filesystem is read-only, /tmp and data are writable', () => {
    const cfg = execIn(
      name(portA),
      `require('fs').appendFileSync('/app/config/config-${portA}.env', 'X=1\\n')`,
    );
    assert.notEqual(cfg.code, 0);
    // Root-owned 0640 on the host (EACCES) and mounted read-only (EROFS).
    assert.match(cfg.stderr, /EACCES|EROFS|read-only/i);
    const root = execIn(name(portA), `require('fs').writeFileSync('/app/hacked', 'x')`);
    assert.notEqual(root.code, 0);
    assert.match(root.stderr, /EROFS|read-only/i);
    assert.equal(execIn(name(portA), `require('fs').writeFileSync('/tmp/ok', 'x')`).code, 0);
    assert.equal(execIn(name(portA), `require('fs').writeFileSync('/app/data/probe', 'x')`).code, 0);
  });

  test('runs as its own uid 10001 with no capabilities and no-new-privileges', () => {
    const r = execIn(
      name(portA),
      `const s=require('fs').readFileSync('/proc/1/status','utf8');` +
        `console.log(JSON.stringify({uid:process.getuid(),eff:/CapEff:\\s*(\\w+)/.exec(s)[1],bnd:/CapBnd:\\s*(\\w+)/.exec(s)[1],nnp:/NoNewPrivs:\\s*(\\d)/.exec(s)[1]}))`,
    );
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { uid: number; eff: string; bnd: string; nnp: string };
    assert.equal(info.uid, 10001);
    assert.equal(info.eff, '0000000000000000');
    assert.equal(info.bnd, '0000000000000000');
    assert.equal(info.nnp, '1');
    const cfg = dockerJson<{ ReadonlyRootfs: boolean; CapDrop: string[]; PidsLimit: number; Memory: number }>(
      ['inspect', '--format', '{{json .HostConfig}}', name(portA)],
    );
    assert.equal(cfg.ReadonlyRootfs, true);
    assert.deepEqual(cfg.CapDrop, ['ALL']);
    assert.ok(cfg.PidsLimit > 0 && cfg.Memory > 0);
  });

  test('each client has its own network; neither can reach the other by name or IP', async () => {
    const netA = Object.keys(
      dockerJson<Record<string, unknown>>([
        'inspect',
        '--format',
        '{{json .NetworkSettings.Networks}}',
        name(portA),
      ]),
    );
    const netB = Object.keys(
      dockerJson<Record<string, unknown>>([
        'inspect',
        '--format',
        '{{json .NetworkSettings.Networks}}',
        name(portB),
      ]),
    );
    assert.deepEqual(netA, [`${name(portA)}_default`]);
    assert.deepEqual(netB, [`${name(portB)}_default`]);
    const ipOf = (port: number) =>
      docker([
        'inspect',
        '--format',
        '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
        name(port),
      ]).stdout.trim();
    // One exec per source container, all URLs probed at once (a failed name lookup takes seconds).
    const probe = (container: string, urls: string[]): Promise<string[]> => {
      const script =
        `Promise.all(${JSON.stringify(urls)}.map(u=>fetch(u,{signal:AbortSignal.timeout(3000)})` +
        `.then(r=>'REACHED '+r.status,e=>'UNREACHABLE '+(e.cause?.code??e.name))))` +
        `.then(a=>console.log(JSON.stringify(a)))`;
      return new Promise((resolve, reject) =>
        execFile('docker', ['exec', container, 'node', '-e', script], (err, stdout, stderr) =>
          err ? reject(new Error(stderr)) : resolve(JSON.parse(stdout) as string[]),
        ),
      );
    };
    const directions = [
      [portA, portB],
      [portB, portA],
    ] as const;
    const results = await Promise.all(
      directions.map(([from, to]) =>
        probe(name(from), [
          `http://${name(from)}:${from}/health`,
          `http://${ipOf(from)}:${from}/health`,
          `http://${name(to)}:${to}/health`,
          `http://${ipOf(to)}:${to}/health`,
        ]),
      ),
    );
    for (const [selfByName, selfByIp, otherByName, otherByIp] of results) {
      // Control: the probe does reach what it is allowed to reach (itself, by name and by IP).
      assert.equal(selfByName, 'REACHED 200');
      assert.equal(selfByIp, 'REACHED 200');
      assert.match(otherByName ?? '', /^UNREACHABLE/);
      assert.match(otherByIp ?? '', /^UNREACHABLE/);
    }
  });

  test("a request to A lands in A's out and combined logs, an error in A's error log, nothing in B's", async () => {
    const marker = `marker-a-${Date.now()}`;
    const errMarker = `errmarker-a-${Date.now()}`;
    await fetch(`http://127.0.0.1:${portA}/health`, { headers: { 'x-request-id': marker } });
    const bad = await fetch(`http://127.0.0.1:${portA}/api/v1/nothing`, {
      headers: { 'x-request-id': errMarker },
    });
    assert.equal(bad.status, 401);
    await waitUntil(
      () =>
        home.readLog(portA, 'combined').includes(marker) &&
        home.readLog(portA, 'out').includes(marker) &&
        home.readLog(portA, 'error').includes(errMarker),
      30_000,
      () => `the markers of both requests in the logs of ${portA}`,
      100,
    );
    assert.match(home.readLog(portA, 'combined'), new RegExp(marker));
    assert.match(home.readLog(portA, 'out'), new RegExp(marker));
    assert.match(home.readLog(portA, 'error'), new RegExp(errMarker));
    const line =
      home
        .readLog(portA, 'combined')
        .split('\n')
        .find((l) => l.includes(marker)) ?? '{}';
    const parsed = JSON.parse(line) as Record<string, unknown>;
    assert.equal(parsed.port, portA);
    assert.equal(parsed.client, 'Cliente A');
    assert.equal(parsed.requestId, marker);
    assert.ok(parsed.timestamp && parsed.level);
    for (const kind of ['out', 'error', 'combined'] as const) {
      assert.doesNotMatch(home.readLog(portB, kind), new RegExp(`${marker}|${errMarker}|Cliente A`));
    }
  });

  test('canary secrets never appear in logs, /health or error responses', async () => {
    const answers: string[] = [];
    answers.push(await (await fetch(`http://127.0.0.1:${portA}/health`)).text());
    answers.push(JSON.stringify((await health(portA)).body));
    answers.push(
      await (
        await fetch(`http://127.0.0.1:${portA}/api/v1/x`, {
          headers: { authorization: `Bearer ${CANARY_PASSWORD}` },
        })
      ).text(),
    );
    answers.push(
      await (
        await fetch(`http://127.0.0.1:${portA}/api/v1/nope?password=${CANARY_PASSWORD}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${CANARY_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ password: CANARY_PASSWORD, apiKey: CANARY_KENTRO }),
        })
      ).text(),
    );
    answers.push(
      await (
        await fetch(`http://127.0.0.1:${portA}/api/v1/nope`, {
          method: 'POST',
          headers: { authorization: `Bearer ${CANARY_TOKEN}`, 'content-type': 'application/json' },
          body: `{"broken": "${CANARY_PASSWORD}`,
        })
      ).text(),
    );
    await settleLogs(home, portA);
    const everything = [
      ...answers,
      home.readLog(portA, 'out'),
      home.readLog(portA, 'error'),
      home.readLog(portA, 'combined'),
      docker(['logs', name(portA)]).stdout,
    ].join('\n');
    assert.ok(home.readLog(portA, 'combined').length > 0);
    for (const canary of [CANARY_PASSWORD, CANARY_KENTRO, CANARY_TOKEN]) {
      assert.ok(!everything.includes(canary), `canary ${canary.slice(0, 12)}… leaked`);
    }
  });

  test("Docker's own healthcheck (bash /dev/tcp, no curl) turns healthy", async () => {
    const status = await waitFor(
      async () => docker(['inspect', '--format', '{{.State.Health.Status}}', name(portB)]).stdout.trim(),
      (s) => s === 'healthy',
      90_000,
      () => `Docker's health status of ${name(portB)} to turn healthy`,
      500,
    );
    assert.equal(status, 'healthy');
    const log = dockerJson<{ Log: { ExitCode: number; Output: string }[] }>([
      'inspect',
      '--format',
      '{{json .State.Health}}',
      name(portB),
    ]);
    assert.equal(log.Log.at(-1)?.ExitCode, 0);
  });
});
