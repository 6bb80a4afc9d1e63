import type { Migration } from '../migrate.ts';
import { migration001 } from './001-core.ts';
import { migration002 } from './002-batches.ts';
import { migration003 } from './003-console-sessions.ts';
import { migration004 } from './004-outbox-parking.ts';
import { migration005 } from './005-batch-item-lead.ts';
import { migration006 } from './006-refusal-outcomes.ts';
import { migration007 } from './007-consent-evidence.ts';
import { migration008 } from './008-consult-quota.ts';
import { migration009 } from './009-batch-item-refusal-outcomes.ts';
import { migration010 } from './010-flow-proposal.ts';

/**
 * Every schema change, in order. To add one: create `NNN-<name>.ts` next to this file exporting a
 * `Migration` with `version: NNN`, and append it here (e.g. `002-batches.ts` -> `migration002`).
 * Never edit a migration that has shipped: databases in the field already ran it.
 */
export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
];
