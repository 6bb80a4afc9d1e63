import type { Migration } from '../migrate.ts';

/**
 * The lead columns of a CSV row (nome, nascimento, telefone, email, sexo) kept with its batch item as
 * JSON (RawLead): the item's flow gets them as `options.rowLead`, so a CPF not yet in Kentro can be
 * created from its row. NULL for items without such columns (and for every item of older batches).
 */
export const migration005: Migration = {
  version: 5,
  name: 'batch-item-lead',
  sql: `
ALTER TABLE cpf_batch_items ADD COLUMN lead TEXT;
`,
};
