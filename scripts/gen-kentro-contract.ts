// Regenerates test/fixtures/kentro-contract.json from the official Kentro OpenAPI spec (CRM part):
//   node scripts/gen-kentro-contract.ts <path/to/kentro-openapi-crm.yaml>
// The tests read only the committed fixture; a freshness test compares it with the spec when the
// spec is at hand (test/unit/kentro-contract-freshness.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deriveKentroContract, renderKentroContract } from './lib/kentro-contract.ts';

export const KENTRO_CONTRACT_FIXTURE = path.resolve(
  import.meta.dirname,
  '..',
  'test',
  'fixtures',
  'kentro-contract.json',
);

if (import.meta.main) {
  const spec = process.argv[2];
  if (!spec) {
    process.stderr.write(
      'usage: node scripts/gen-kentro-contract.ts <kentro-openapi-crm.yaml>\n' +
        '(the official Kentro spec file; the fixture is written to test/fixtures/kentro-contract.json)\n',
    );
    process.exit(2);
  }
  const contract = deriveKentroContract(readFileSync(spec, 'utf8'));
  writeFileSync(KENTRO_CONTRACT_FIXTURE, renderKentroContract(contract));
  process.stdout.write(
    `wrote ${path.relative(process.cwd(), KENTRO_CONTRACT_FIXTURE)}: ${Object.keys(contract.operations).length} operations (spec ${contract.source.version})\n`,
  );
}
