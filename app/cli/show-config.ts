// Runs INSIDE a client's container (`docker exec <container> node dist/app/cli/show-config.js`), so
// it sees what the service sees: the mounted config file and the console overrides in the data
// volume. Prints every key, masked per its kind, with its source. `--json`: the /api/v1/config body.
import { loadEffectiveConfig } from '../config/effective-config.ts';
import { ConfigError, readProcessSettings } from '../config/load-config.ts';
import { configTable, describeConfig } from '../use-cases/console/describe-config.ts';

function main(argv: readonly string[]): number {
  const settings = readProcessSettings();
  const { effective, notices } = loadEffectiveConfig(settings);
  const view = describeConfig(effective.current(), {
    location: effective.location,
    updatedAt: effective.updatedAt(),
  });
  for (const n of notices) {
    if (n.level !== 'info') process.stderr.write(`${n.level}: ${n.message} ${JSON.stringify(n.meta)}\n`);
  }
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
  else process.stdout.write(`${configTable(view).join('\n')}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(
    `error: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exitCode = 1;
}
