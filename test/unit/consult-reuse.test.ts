import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ExistingConsult, refusedFields, reuseDecision } from '../../app/domain/consult-reuse.ts';

const LEAD = { birthDate: '1990-01-31', name: 'Maria Teste da Silva' };
const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T10:00:00.000Z`;
const consult = (
  id: string,
  status: string,
  day: number,
  o: Partial<ExistingConsult> = {},
): ExistingConsult => ({
  id,
  status,
  description: null,
  createdAt: at(day),
  birthDate: LEAD.birthDate,
  name: 'MARIA TESTE DA SILVA',
  ...o,
});
const BIRTH = 'Data de nascimento não confere';

test('reuse before you spend: the newest consult at V8 decides', () => {
  const table: [string, ExistingConsult[], string][] = [
    ['nothing at V8', [], 'create:none'],
    ['SUCCESS', [consult('a', 'SUCCESS', 3)], 'reuse:a:success'],
    ['in progress', [consult('a', 'WAITING_CREDIT_ANALYSIS', 3)], 'reuse:a:in_progress'],
    [
      'REJECTED, not for data',
      [consult('a', 'REJECTED', 3, { description: 'não elegível' })],
      'reuse:a:rejected',
    ],
    ['FAILED: a new one', [consult('a', 'FAILED', 3)], 'create:failed'],
    [
      'REJECTED "ainda em análise" is no answer: a new one',
      [consult('a', 'REJECTED', 3, { description: 'Consulta ainda em análise' })],
      'create:analysis_pending',
    ],
    [
      'newest wins (list order does not matter)',
      [consult('old', 'REJECTED', 1), consult('new', 'SUCCESS', 5)],
      'reuse:new:success',
    ],
    [
      'newest REJECTED over an older SUCCESS',
      [consult('ok', 'SUCCESS', 1), consult('no', 'REJECTED', 2)],
      'reuse:no:rejected',
    ],
    [
      'birth date refused and corrected since: a new one',
      [consult('a', 'REJECTED', 3, { description: BIRTH, birthDate: '1990-01-13' })],
      'create:data_changed:birthDate',
    ],
    [
      'birth date refused, same date still: the refusal stands',
      [consult('a', 'REJECTED', 3, { description: BIRTH, birthDate: '1990-01-31T00:00:00Z' })],
      'reuse:a:rejected',
    ],
    [
      'birth date refused, unknown what was sent: the refusal stands',
      [consult('a', 'REJECTED', 3, { description: BIRTH, birthDate: undefined })],
      'reuse:a:rejected',
    ],
    [
      'name refused and corrected (accents and spacing do not count)',
      [
        consult('a', 'REJECTED', 3, {
          description: 'Nome divergente da base',
          name: 'MARIA  TESTE DA SYLVA',
        }),
      ],
      'create:data_changed:name',
    ],
    [
      'name refused, same name written differently',
      [
        consult('a', 'REJECTED', 3, {
          description: 'Nome divergente da base',
          name: 'MARÍA TESTE  DA SILVA',
        }),
      ],
      'reuse:a:rejected',
    ],
    [
      'only the refused field counts: another field differing does not',
      [consult('a', 'REJECTED', 3, { description: BIRTH, name: 'OUTRO NOME' })],
      'reuse:a:rejected',
    ],
  ];
  for (const [name, existing, want] of table) {
    const d = reuseDecision(existing, LEAD);
    const got =
      d.action === 'reuse'
        ? `reuse:${d.consult.id}:${d.why}`
        : ['create', d.why, ...(d.changed ?? [])].join(':');
    assert.equal(got, want, name);
  }
});

test('the data a refusal blames', () => {
  const table: [string | null, string[]][] = [
    [BIRTH, ['birthDate']],
    ['DATA DE NASCIMENTO DIVERGENTE', ['birthDate']],
    ['Nome e data de nascimento não conferem', ['birthDate', 'name']],
    ['Consulta de margem bloqueada pelo trabalhador', []],
    ['Trabalhador não elegível', []],
    [null, []],
  ];
  for (const [text, want] of table) assert.deepEqual(refusedFields(text), want, String(text));
});
