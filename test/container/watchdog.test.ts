// The watchdog: a client whose process hangs (SIGSTOP: the port still accepts, /health never answers)
// turns unhealthy and is restarted after WATCHDOG_UNHEALTHY_S, with one JSON line saying why; a
// healthy neighbour is left alone. Its decision rules are checked first, without containers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  decide,
  type Observed,
  requiredUnhealthyMs,
  type Track,
  unhealthySinceFromLog,
} from '../../watchdog/watchdog.ts';
import { docker, freePort, OpsHome } from '../support/ops.ts';
import { waitFor } from '../support/wait.ts';

describe('watchdog rules (no containers)', () => {
  const cfg = { unhealthyS: 10, maxDelayS: 60 };
  const obs = (health: Observed['health'], extra: Partial<Observed> = {}): Observed => ({
    id: 'c1',
    name: 'clt-v8-6000',
    port: 6000,
    health,
    ...extra,
  });

  test('restarts only after the client stayed unhealthy for the configured time', () => {
    const tracks = new Map<string, Track>();
    assert.deepEqual(decide(tracks, [obs('unhealthy')], 1_000, cfg), []);
    assert.deepEqual(decide(tracks, [obs('unhealthy')], 10_999, cfg), []);
    const d = decide(tracks, [obs('unhealthy')], 11_000, cfg);
    assert.deepEqual(d, [{ id: 'c1', name: 'clt-v8-6000', port: 6000, since: 1_000, attempt: 1 }]);
  });

  test('a client that recovers resets the clock; one that keeps failing waits longer each time', () => {
    const tracks = new Map<string, Track>();
    decide(tracks, [obs('unhealthy')], 0, cfg);
    decide(tracks, [obs('healthy')], 5_000, cfg);
    assert.deepEqual(decide(tracks, [obs('unhealthy')], 12_000, cfg), [], 'the clock started again at 12 s');
    assert.equal(decide(tracks, [obs('unhealthy')], 22_000, cfg).length, 1);
    decide(tracks, [obs('starting')], 23_000, cfg);
    decide(tracks, [obs('unhealthy')], 30_000, cfg);
    assert.deepEqual(decide(tracks, [obs('unhealthy')], 49_000, cfg), [], 'second restart needs 20 s');
    assert.equal(decide(tracks, [obs('unhealthy')], 50_000, cfg)[0]?.attempt, 2);
    assert.equal(requiredUnhealthyMs(cfg, 5), 60_000, 'capped at WATCHDOG_MAX_DELAY_S');
    decide(tracks, [], 60_000, cfg);
    assert.equal(tracks.size, 0, 'gone containers are forgotten');
  });

  test("Docker's health log tells when it turned unhealthy, if it reaches back that far", () => {
    const entry = (end: string, code: number) => ({ Start: end, End: end, ExitCode: code, Output: '' });
    const log = [
      entry('2025-01-01T00:00:00Z', 0),
      entry('2025-01-01T00:00:10Z', 1),
      entry('2025-01-01T00:00:20Z', 1),
      entry('2025-01-01T00:00:30Z', 1),
      entry('2025-01-01T00:00:40Z', 1),
    ];
    assert.equal(unhealthySinceFromLog(log, 4, 3), Date.parse('2025-01-01T00:00:30Z'));
    assert.equal(unhealthySinceFromLog(log, 7, 3), undefined);
    const tracks = new Map<string, Track>();
    const since = Date.parse('2025-01-01T00:00:30Z');
    const d = decide(tracks, [obs('unhealthy', { unhealthySinceFromLog: since })], since + 10_000, cfg);
    assert.equal(d.length, 1, 'already unhealthy long enough when the watchdog first looked');
  });
});

const PREFIX = `cltv8t-wd${randomBytes(2).toString('hex')}`;
const UNHEALTHY_S = 5;
const INTERVAL_S = 1;
const STOP_TIMEOUT_S = 2;

/** Clients of this test get their own prefix: the watchdog must not touch other tests' containers. */
class WatchdogHome extends OpsHome {
  override env(): NodeJS.ProcessEnv {
    return {
      ...super.env(),
      CLT_V8_PREFIX: PREFIX,
      HEALTHCHECK_INTERVAL: '1s',
      WATCHDOG_UNHEALTHY_S: String(UNHEALTHY_S),
      WATCHDOG_INTERVAL_S: String(INTERVAL_S),
      WATCHDOG_STOP_TIMEOUT_S: String(STOP_TIMEOUT_S),
    };
  }
}

function dockerJsonMounts(name: string): { Type: string; Destination: string }[] {
  const r = docker(['inspect', '--format', '{{json .Mounts}}', name]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { Type: string; Destination: string }[];
}

function inspect(name: string): { health: string; startedAt: string } {
  const r = docker(['inspect', '--format', '{{.State.Health.Status}}|{{.State.StartedAt}}', name]);
  const [health = '?', startedAt = '?'] = r.stdout.trim().split('|');
  return { health, startedAt };
}

describe('watchdog (real containers)', () => {
  const home = new WatchdogHome();
  let sick = 0;
  let well = 0;

  before(async () => {
    sick = await freePort(21000 + Math.floor(Math.random() * 10000));
    well = await freePort(sick + 1);
    for (const p of [sick, well]) {
      const r = await home.ctl(['add-client', '--port', String(p)]);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    await home.ctl(['watchdog', '--stop']);
    await home.cleanup();
  });

  test('make watchdog starts it: no network, socket group only, its start line names the settings', async () => {
    const r = await home.ctl(['watchdog']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`watchdog ${PREFIX}-watchdog running: restarts a client unhealthy for ${UNHEALTHY_S} s`),
    );
    const cfg = docker([
      'inspect',
      '--format',
      '{{.HostConfig.NetworkMode}}|{{.Config.User}}|{{.HostConfig.ReadonlyRootfs}}|{{.HostConfig.CapDrop}}',
      `${PREFIX}-watchdog`,
    ]);
    assert.equal(cfg.stdout.trim(), 'none|10001:10001|true|[ALL]');
    const start = JSON.parse(docker(['logs', `${PREFIX}-watchdog`]).stdout.split('\n')[0] ?? '{}');
    assert.equal(start.event, 'start');
    assert.equal(start.prefix, PREFIX);
    assert.equal(start.unhealthyS, UNHEALTHY_S);
  });

  test('it reaches Docker only through a proxy allowing list, inspect and restart of a client', () => {
    const wd = `${PREFIX}-watchdog`;
    // No engine socket in the watchdog, and its code is the image's root-owned copy, not the checkout.
    const mounts = dockerJsonMounts(wd);
    assert.ok(!mounts.some((m) => m.Destination === '/var/run/docker.sock'), JSON.stringify(mounts));
    assert.ok(!mounts.some((m) => m.Type === 'bind' && m.Destination.startsWith('/app/watchdog')));
    const owner = docker([
      'exec',
      wd,
      'stat',
      '-c',
      '%u:%g %a',
      '/app/watchdog/watchdog.ts',
      '/app/watchdog/socket-proxy.ts',
    ]);
    assert.deepEqual(owner.stdout.trim().split('\n'), ['0:0 644', '0:0 644']);
    const ask = `const http=require('node:http');
const tries=JSON.parse(process.argv[1]);
(async()=>{const out=[];for(const [m,p] of tries){out.push(await new Promise((ok)=>{const r=http.request({socketPath:'/run/clt-v8-docker/docker.sock',method:m,path:p},(res)=>{res.resume();ok(res.statusCode)});r.on('error',(e)=>ok(e.code));r.end()}))}console.log(JSON.stringify(out))})()`;
    const tries = [
      [
        'GET',
        `/containers/json?filters=${encodeURIComponent(JSON.stringify({ label: ['org.clt-v8.client-port'] }))}`,
      ],
      ['GET', `/v1.41/containers/${PREFIX}-${well}/json`],
      ['GET', '/images/json'],
      ['POST', `/containers/${PREFIX}-${well}/exec`],
      ['POST', '/containers/create'],
      ['DELETE', `/containers/${PREFIX}-${well}`],
      ['GET', `/containers/${PREFIX}-${well}/../../images/json`],
      ['POST', `/containers/${PREFIX}-watchdog-proxy/restart`],
    ];
    const r = docker(['exec', wd, 'node', '-e', ask, JSON.stringify(tries)]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [200, 200, 403, 403, 403, 403, 403, 403]);
  });

  test('a hung client is restarted after WATCHDOG_UNHEALTHY_S, and the JSON line says why', async () => {
    const name = `${PREFIX}-${sick}`;
    const wellBefore = inspect(`${PREFIX}-${well}`).startedAt;
    const before = inspect(name).startedAt;
    // Freeze the node process: the port stays open, /health never answers.
    const stop = docker([
      'exec',
      name,
      'sh',
      '-c',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
      'for p in /proc/[0-9]*; do [ "$(head -c 5 $p/cmdline 2>/dev/null | tr "\\0" " ")" = "node " ] && kill -STOP ${p#/proc/}; done; true',
    ]);
    assert.equal(stop.code, 0, stop.stderr);
    let sawUnhealthy = false;
    await waitFor(
      async () => {
        const s = inspect(name);
        if (s.health === 'unhealthy') sawUnhealthy = true;
        return s;
      },
      (s) => s.startedAt !== before,
      120_000,
      () => `the watchdog to restart ${name} (unhealthy seen: ${sawUnhealthy})`,
    );
    // How long it had been unhealthy is the watchdog's own reading (unhealthyForS, checked below
    // against the limit): this test's polling is no clock for it.
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${sick}/health`).catch(() => null))?.status ?? 0,
      (status) => status === 200,
      60_000,
      () => `${name} to answer /health again after its restart`,
    );

    const lines = readFileSync(path.join(home.dir, 'logs', 'watchdog', 'watchdog.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const restart = lines.find((l) => l.event === 'restart');
    assert.ok(restart, 'one restart line');
    assert.equal(restart.container, name);
    assert.equal(restart.port, sick);
    assert.equal(restart.action, 'restart');
    assert.equal(restart.result, 'restarted');
    assert.ok(restart.unhealthyForS >= UNHEALTHY_S);
    assert.ok(Date.parse(restart.unhealthySince) <= Date.parse(restart.decidedAt));
    assert.match(restart.reason, /unhealthy for \d+ s \(limit 5 s\)/);
    assert.ok(restart.lastCheck, 'the last failed check is quoted');
    assert.equal(lines.filter((l) => l.event === 'restart').length, 1, 'the healthy one was left alone');
    assert.equal(inspect(`${PREFIX}-${well}`).startedAt, wellBefore);
  });

  test('make watchdog STOP=1 removes it', async () => {
    const r = await home.ctl(['watchdog', '--stop']);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(docker(['inspect', `${PREFIX}-watchdog`]).code, 0);
  });
});
