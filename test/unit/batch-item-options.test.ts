import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FlowOptions } from '../../app/domain/flow-steps.ts';
import type { RawLead } from '../../app/domain/lead.ts';
import { itemFlowOptions } from '../../app/use-cases/batches/run-batches.ts';

describe('itemFlowOptions: a batch item flow gets its CSV row as rowLead', () => {
  const ROW: RawLead = { name: 'Ana', birthDate: '31/01/1990', phone: '11977770001' };
  const TABLE: [string, FlowOptions, RawLead | null, FlowOptions][] = [
    ['no row data: the batch options as they are', { sendWhatsapp: true }, null, { sendWhatsapp: true }],
    [
      'row data: may create the opportunity, the row is the lead',
      {},
      ROW,
      { createOpportunity: true, rowLead: ROW },
    ],
    [
      'a row without a name does not create (it would be a lead titled by its CPF)',
      {},
      { phone: '11977770001' },
      { rowLead: { phone: '11977770001' } },
    ],
    [
      'createOpportunity=false from the batch is kept',
      { createOpportunity: false },
      ROW,
      { createOpportunity: false, rowLead: ROW },
    ],
    [
      "the batch's lead is kept as given (it wins over Kentro and the row, in the flow)",
      { lead: { email: 'lote@example.com' } },
      ROW,
      { lead: { email: 'lote@example.com' }, createOpportunity: true, rowLead: ROW },
    ],
  ];
  for (const [name, batch, row, expected] of TABLE) {
    test(name, () => assert.deepEqual(itemFlowOptions(batch, row), expected));
  }
});
