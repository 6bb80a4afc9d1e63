// Writes docs/CONFIG.md from app/config/schema.ts (the schema is the one source of truth).
// `node scripts/gen-config-doc.ts --check` fails when the committed file is stale (run in tests).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_KEYS } from '../app/config/schema.ts';

export function renderConfigDoc(): string {
  const lines = [
    '# Client configuration keys',
    '',
    'Generated from `app/config/schema.ts` by `node scripts/gen-config-doc.ts`; do not edit by hand.',
    '',
    'Each client has exactly one file, `clients/<PORT>/config.env`, mounted read-only in its container as',
    '`/app/config/config-<PORT>.env`. No other file and no environment variable is read. A credential has',
    'no default: empty means "not configured", and the feature that needs it says so.',
    'Kinds: **secret** is never shown anywhere (only "definido"/"vazio"); **credential** is shown masked;',
    '**setting** is shown as is. *Console* marks keys that `/config-v8` may override (stored in the',
    "client's data volume, mode 0600, taking precedence over the file).",
    '',
    '| key | kind | default | console | meaning |',
    '|---|---|---|---|---|',
  ];
  for (const [key, doc] of Object.entries(CONFIG_KEYS)) {
    const parsed = doc.schema.safeParse(undefined);
    const d = parsed.success ? parsed.data : undefined;
    const def =
      d === undefined || (typeof d === 'object' && Object.keys(d as object).length === 0)
        ? ''
        : `\`${typeof d === 'object' ? JSON.stringify(d) : String(d)}\``;
    const alias = 'alias' in doc && doc.alias ? ` Old name accepted: \`${doc.alias}\`.` : '';
    const overridable = 'overridable' in doc && doc.overridable ? 'yes' : '';
    lines.push(
      `| \`${key}\` | ${doc.kind} | ${def} | ${overridable} | ${doc.doc.replaceAll('|', '\\|')}${alias} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const target = path.join(import.meta.dirname, '..', 'docs', 'CONFIG.md');
if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const doc = renderConfigDoc();
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== doc) {
      console.error('docs/CONFIG.md is stale: run node scripts/gen-config-doc.ts');
      process.exit(1);
    }
  } else {
    writeFileSync(target, doc);
    console.log(`wrote ${target}`);
  }
}
