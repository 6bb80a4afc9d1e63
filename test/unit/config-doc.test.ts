import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CONFIG_KEYS } from '../../app/config/schema.ts';
import { renderConfigDoc } from '../../scripts/gen-config-doc.ts';

test('docs/CONFIG.md matches the schema (regenerate with node scripts/gen-config-doc.ts)', () => {
  const committed = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'CONFIG.md'), 'utf8');
  assert.equal(committed, renderConfigDoc());
  for (const key of Object.keys(CONFIG_KEYS)) assert.match(committed, new RegExp(`\\| \`${key}\` \\|`));
});

test('the committed template names every key of the schema', () => {
  const template = readFileSync(
    path.join(import.meta.dirname, '..', '..', 'clients', 'template', 'config.env.template'),
    'utf8',
  );
  const missing = ['PORT', 'CLIENT_NAME', 'API_TOKEN', 'V8_USERNAME', 'V8_PASSWORD', 'KENTRO_API_KEY'].filter(
    (k) => !new RegExp(`^${k}=`, 'm').test(template),
  );
  assert.deepEqual(missing, []);
});
