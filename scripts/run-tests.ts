// `npm test`: checks the prerequisites, builds the image ONCE, removes leftovers of earlier runs,
// then runs every test file in one node:test run (container, e2e, component, unit) so CI reads one
// set of closing lines. `--fast`: component and unit tests only, no Docker at all.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const image = process.env.CLT_V8_TEST_IMAGE || 'clt-v8-service:test';
const localBase = 'clt-v8/node-base:24';

function sh(cmd: string, args: string[], opts: { quiet?: boolean } = {}): number {
  const r = spawnSync(cmd, args, { cwd: repo, stdio: opts.quiet ? 'ignore' : 'inherit' });
  return r.status ?? 1;
}

const onlyFast = process.argv.includes('--fast');
// --fast (unit and component tests) needs no engine and never calls Docker.
if (!onlyFast) {
  if (sh('bash', ['scripts/check-prereqs.sh', 'test']) !== 0) process.exit(1);
  const baseImage =
    process.env.BASE_IMAGE ||
    (sh('docker', ['image', 'inspect', localBase], { quiet: true }) === 0 ? localBase : '');
  console.log(`[run-tests] building ${image}${baseImage ? ` on ${baseImage}` : ''}`);
  const build = sh('docker', [
    'build',
    '-q',
    '-t',
    image,
    ...(baseImage ? ['--build-arg', `BASE_IMAGE=${baseImage}`] : []),
    '.',
  ]);
  if (build !== 0) process.exit(build);
  // Leftovers of an interrupted run (tests label everything with the cltv8t prefix).
  spawnSync('bash', [
    '-c',
    `docker ps -aq --filter name=cltv8t- | xargs -r docker rm -f >/dev/null 2>&1;
    docker volume ls -q --filter name=cltv8t- | xargs -r docker volume rm >/dev/null 2>&1;
    docker network ls -q --filter name=cltv8t- | xargs -r docker network rm >/dev/null 2>&1;
    docker ps -aq --filter label=org.testcontainers=true | xargs -r docker rm -f >/dev/null 2>&1; true`,
  ]);
}

// Container files spend most of their time waiting on the engine (builds, starts, health), not on
// the CPU: they start first, longest first, and more files run at once than there are cores, so
// the short CPU-bound unit and component files fill the gaps instead of queueing behind them.
const LONGEST_FIRST = [
  'add-client',
  'backup',
  'batch-sandbox',
  'platform-isolation',
  'sandbox',
  'console-override',
  'upgrade',
  'flow-sandbox',
  'migrate',
  'config-refusal',
];
const rank = (file: string) => {
  const i = LONGEST_FIRST.indexOf(path.basename(file, '.test.ts'));
  return i < 0 ? LONGEST_FIRST.length : i;
};
const filesOf = (dir: string) =>
  globSync(`test/${dir}/**/*.test.ts`, { cwd: repo }).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const files = onlyFast
  ? [...filesOf('component'), ...filesOf('unit')]
  : [...filesOf('container'), ...filesOf('e2e'), ...filesOf('component'), ...filesOf('unit')];
const concurrency = process.env.TEST_CONCURRENCY || (onlyFast ? '2' : '4');

const r = spawnSync(
  process.execPath,
  // --test-force-exit: a file whose test timed out must not keep the run waiting on its open handles.
  [
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=600000',
    '--test-force-exit',
    // TEST_DURATIONS=<file> also writes each file's duration, slowest first (docs and tuning).
    ...(process.env.TEST_DURATIONS
      ? [
          '--test-reporter=spec',
          '--test-reporter-destination=stdout',
          '--test-reporter=./scripts/lib/file-durations-reporter.ts',
          `--test-reporter-destination=${process.env.TEST_DURATIONS}`,
        ]
      : []),
    ...files,
  ],
  {
    cwd: repo,
    stdio: 'inherit',
    env: {
      ...process.env,
      CLT_V8_TEST_IMAGE: image,
      TESTCONTAINERS_RYUK_DISABLED: 'true',
      TESTCONTAINERS_HOST_OVERRIDE: process.env.TESTCONTAINERS_HOST_OVERRIDE || 'localhost',
    },
  },
);
process.exit(r.status ?? 1);
