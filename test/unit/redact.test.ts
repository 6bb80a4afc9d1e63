import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../app/logging/logger.ts';
import { maskCpf, Redactor } from '../../app/logging/redact.ts';
import { runWithRequestId } from '../../app/logging/request-context.ts';

const maskTable: [string, string][] = [
  ['cpf 12345678909 ok', 'cpf 123.***.***-09 ok'],
  ['cpf 123.456.789-09', 'cpf 123.***.***-09'],
  ['/cache/simulacao/52998224725', '/cache/simulacao/529.***.***-25'],
  ['id 123456789012345', 'id 123456789012345'],
  ['no digits', 'no digits'],
];
for (const [input, expected] of maskTable) {
  test(`maskCpf(${JSON.stringify(input)})`, () => assert.equal(maskCpf(input), expected));
}

test('secret-looking keys are replaced at any depth; other values kept', () => {
  const r = new Redactor();
  const out = r.value({
    username: 'op@x.com',
    password: 'p4ss',
    nested: {
      apiKey: 'k',
      api_key: 'k2',
      headers: { Authorization: 'Bearer abc' },
      list: [{ access_token: 't' }],
    },
    count: 3,
  }) as Record<string, unknown>;
  assert.deepEqual(out, {
    username: 'op@x.com',
    password: '[REDACTED]',
    nested: {
      apiKey: '[REDACTED]',
      api_key: '[REDACTED]',
      headers: { Authorization: '[REDACTED]' },
      list: [{ access_token: '[REDACTED]' }],
    },
    count: 3,
  });
});

test('known secret values, bearer tokens, JWTs and inline pairs are cut out of free text', () => {
  const r = new Redactor();
  r.addSecret('S3cr3tValue!');
  const text = r.text(
    'login failed for S3cr3tValue! Authorization: Bearer abc.def-ghi token eyJhbGciOiJIUzI1.eyJzdWIiOiIx.sig body {"apiKey":"kkk123","password":"ppp"} grant_type=password&password=hunter2&username=x',
  );
  for (const leaked of ['S3cr3tValue!', 'abc.def-ghi', 'eyJhbGciOiJIUzI1', 'kkk123', '"ppp"', 'hunter2']) {
    assert.ok(!text.includes(leaked), `${leaked} leaked: ${text}`);
  }
  assert.match(text, /username=x/);
});

test('the logger writes JSON lines with port, client and request id to out/error/combined, redacted', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logs-'));
  const { logger, redactor, close } = createLogger({
    port: 6123,
    clientName: 'Teste',
    level: 'info',
    logDir: dir,
    stdout: false,
  });
  redactor.addSecret('CANARY-secret-xyz');
  runWithRequestId('req-1', () =>
    logger.info('hello', { cpf: '52998224725', password: 'CANARY-secret-xyz' }),
  );
  logger.warn('careful CANARY-secret-xyz');
  logger.error('boom', { err: new Error('failed with CANARY-secret-xyz') });
  logger.debug('not written at info');
  await close();
  const read = (k: string) => readFileSync(path.join(dir, `${k}-6123.log`), 'utf8');
  const combined = read('combined')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(combined.length, 3);
  assert.equal(combined[0]?.port, 6123);
  assert.equal(combined[0]?.client, 'Teste');
  assert.equal(combined[0]?.requestId, 'req-1');
  assert.equal(combined[0]?.cpf, '529.***.***-25');
  assert.ok(typeof combined[0]?.timestamp === 'string');
  assert.deepEqual(
    read('out')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { level: string }).level),
    ['info', 'warn'],
  );
  assert.deepEqual(
    read('error')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { level: string }).level),
    ['warn', 'error'],
  );
  for (const k of ['out', 'error', 'combined']) assert.ok(!read(k).includes('CANARY-secret-xyz'));
});
