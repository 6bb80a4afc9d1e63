// Host-side operator CLI behind the Makefile. Each command is one function in scripts/commands/.
import { parseArgs } from 'node:util';
import { ConfigError } from '../app/config/load-config.ts';
import { watchdog } from '../watchdog/control.ts';
import { addClient } from './commands/add-client.ts';
import { backup } from './commands/backup.ts';
import { buildImage } from './commands/build.ts';
import { down, logs, restart, up } from './commands/lifecycle.ts';
import { migrate } from './commands/migrate.ts';
import { removeClient } from './commands/remove-client.ts';
import { restore } from './commands/restore.ts';
import { sandbox } from './commands/sandbox.ts';
import { setAdminPassword } from './commands/set-admin-password.ts';
import { showConfig } from './commands/show-config.ts';
import { status } from './commands/status.ts';
import { tlsAddClient, tlsCa, tlsDown, tlsUp } from './commands/tls.ts';
import { upgrade } from './commands/upgrade.ts';
import { verifyEvidence } from './commands/verify-evidence.ts';
import { CliError } from './lib/cli-error.ts';
import { opsContext } from './lib/context.ts';
import { makeArgs, mergeMakeArgs } from './lib/make-args.ts';

const USAGE = `usage: node scripts/clientctl.ts <command> [options]
  build                                   build the service image
  up [--port P]                           start every client (or one)
  down [--port P]                         stop every client (or one); keeps config, logs, data
  add-client --port P [--name N] [--sandbox] [--no-start]
  remove-client --port P [--purge]
  restart --port P                        recreate the container (applies config changes)
  logs --port P [--lines N]
  status
  sandbox                                 sandbox clients 4000 and 5000 with fake V8/Kentro
  set-admin-password --port P [--password X]
  config --port P [--json]                effective configuration (masked) and where each value comes from
  migrate --from DIR [--port P] [--legacy-port P] [--dry-run] [--start]
                                          clients from the old PM2 service (its files are only read)
  backup [--port P] [--out DIR]           one tar.gz per client: config, logs, data (store via VACUUM INTO)
  restore --file F [--port P] [--force]   bring a client back from a backup and wait until healthy
  upgrade [--image REF]                   new image, clients recreated one at a time, rollback on failure
  watchdog [--stop]                       restart clients that stay unhealthy (docker-compose.watchdog.yml)
  verify-evidence --port P                check the client's consent evidence chain (first broken entry, exit 1)

  tls-up | tls-down | tls-ca              the TLS front (docker-compose.tls.yml)
  tls-add-client --port P [--host H] [--tls-port T]`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values: cliValues } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      name: { type: 'string' },
      lines: { type: 'string' },
      password: { type: 'string' },
      sandbox: { type: 'boolean', default: false },
      purge: { type: 'boolean', default: false },
      'no-start': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      from: { type: 'string' },
      'legacy-port': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      start: { type: 'boolean', default: false },
      out: { type: 'string' },
      file: { type: 'string' },
      force: { type: 'boolean', default: false },
      image: { type: 'string' },
      stop: { type: 'boolean', default: false },
      host: { type: 'string' },
      'tls-port': { type: 'string' },
    },
  });
  // Values from `make` arrive in the environment (never through a shell); the command line wins.
  const values = mergeMakeArgs(cliValues, makeArgs(process.env));
  const ctx = opsContext();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // Make passes empty strings for unset variables.
  const port = values.port === '' ? undefined : values.port;
  switch (positionals[0]) {
    case 'build':
      return buildImage(ctx, out);
    case 'up':
      return up(ctx, port, out);
    case 'down':
      return down(ctx, port, out);
    case 'add-client':
      return addClient(
        ctx,
        { port, name: values.name || undefined, sandbox: values.sandbox, noStart: values['no-start'] },
        out,
      );
    case 'remove-client':
      return removeClient(ctx, port, values.purge, out);
    case 'restart':
      return restart(ctx, port, out);
    case 'logs':
      return logs(ctx, port, values.lines);
    case 'status':
      return status(ctx, out);
    case 'sandbox':
      return sandbox(ctx, out);
    case 'set-admin-password':
      return setAdminPassword(ctx, port, values.password || undefined, out);
    case 'config':
      return showConfig(ctx, port, values.json, out);
    case 'migrate':
      return migrate(
        ctx,
        {
          from: values.from || undefined,
          dryRun: values['dry-run'],
          start: values.start,
          port,
          legacyPort: values['legacy-port'] || undefined,
        },
        out,
      );
    case 'backup':
      return backup(ctx, port, values.out || undefined, out);
    case 'restore':
      return restore(ctx, { file: values.file || undefined, force: values.force, port }, out);
    case 'upgrade':
      return upgrade(ctx, { image: values.image || undefined }, out);
    case 'tls-up':
      return tlsUp(ctx, out);
    case 'tls-down':
      return tlsDown(ctx, out);
    case 'tls-ca':
      return tlsCa(ctx, out);
    case 'tls-add-client':
      return tlsAddClient(
        ctx,
        { port, host: values.host || undefined, tlsPort: values['tls-port'] || undefined },
        out,
      );
    case 'watchdog':
      return watchdog(ctx, values.stop, out);
    case 'verify-evidence':
      return verifyEvidence(ctx, port, out);
    default:
      throw new CliError(`unknown command "${positionals[0] ?? ''}"`, USAGE);
  }
}

// `make status | head` closes our stdout early: that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof CliError) {
    process.stderr.write(`error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    process.exit(2);
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(2);
  }
  if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    process.stderr.write(`error: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
