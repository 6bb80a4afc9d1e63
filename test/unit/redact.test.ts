import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { errorHandler } from '../../app/http/middleware/error-handler.ts';
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

// Issue 10: each secret is masked whole, wherever it sits in free text; what is not secret stays.
const textTable: [string, string, readonly string[], readonly string[]][] = [
  // [name, input, must not contain, must still contain]
  [
    'JSON password with spaces',
    '{"password":"correct horse battery","user":"ana"}',
    ['correct', 'horse', 'battery'],
    ['"user":"ana"', '"password":"[REDACTED]"'],
  ],
  [
    'JSON password, spaced and escaped quote',
    '{ "password" : "a \\" b c" }',
    ['a \\"', ' b c'],
    ['"password" : "[REDACTED]"'],
  ],
  ['single-quoted', "{'senha': 'minha senha longa'}", ['minha', 'longa'], ["'senha': '[REDACTED]'"]],
  ['config-style key, quoted value', 'V8_PASSWORD="p4ss com espaço"', ['p4ss', 'espaço'], ['V8_PASSWORD']],
  ['env line', 'V8_PASSWORD=plainvalue\nV8_USERNAME=ana', ['plainvalue'], ['V8_USERNAME=ana']],
  [
    'a validation message naming a field stays readable',
    'invalid request: V8_PASSWORD: obrigatória para mudar a URL',
    [],
    ['V8_PASSWORD: obrigatória para mudar a URL'],
  ],
  ['pwd key', 'login pwd=hunter2 ok', ['hunter2'], ['pwd=[REDACTED] ok']],
  [
    'credentials key in JSON',
    '{"credentials":"user:pw-123"}',
    ['pw-123', 'user:'],
    ['"credentials":"[REDACTED]"'],
  ],
  ['passwd key', 'passwd: s3cr3t', ['s3cr3t'], ['passwd: [REDACTED]']],
  [
    'user:pass@ in a URL',
    'GET https://ana:pa55w0rd@auth.example.com/x failed',
    ['pa55w0rd', 'ana:'],
    ['https://[REDACTED]@auth.example.com/x failed'],
  ],
  [
    'token as URL user',
    'clone https://ghp_abcdef123456@github.com/o/r',
    ['ghp_abcdef123456'],
    ['@github.com/o/r'],
  ],
  [
    '?key= query',
    'GET https://maps.example/api?key=AIzaSyA-123_xyz&q=recife',
    ['AIzaSyA-123_xyz'],
    ['key=[REDACTED]&q=recife'],
  ],
  [
    '&sig= query',
    'https://blob.example/f.csv?sv=2024&sig=abc%2Bdef%3D&se=1',
    ['abc%2Bdef%3D'],
    ['sig=[REDACTED]&se=1', 'sv=2024'],
  ],
  ['?token= query', '/hooks?token=t0k3n-value#frag', ['t0k3n-value'], ['token=[REDACTED]#frag']],
  [
    'X-Amz-Signature',
    '?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=deadbeef99',
    ['AKIA', 'deadbeef99'],
    ['X-Amz-Signature=[REDACTED]'],
  ],
  ['Authorization: Basic', 'headers Authorization: Basic dXNlcjpwYXNz end', ['dXNlcjpwYXNz'], ['end']],
  [
    'basic in JSON header',
    '{"authorization":"Basic dXNlcjpwYXNz"}',
    ['dXNlcjpwYXNz'],
    ['"authorization":"[REDACTED]"'],
  ],
  ['Bearer', 'Authorization: Bearer abc.def-ghi', ['abc.def-ghi'], ['Bearer [REDACTED]']],
  [
    'form body',
    'grant_type=password&password=hunter2&username=x',
    ['hunter2'],
    ['username=x', 'grant_type=password'],
  ],
  [
    'prose is left alone',
    'basic information about the password policy',
    [],
    ['basic information about the password policy'],
  ],
  [
    'non-secret JSON keys stay',
    '{"status":"ok","username":"ana maria"}',
    [],
    ['{"status":"ok","username":"ana maria"}'],
  ],
];
for (const [name, input, gone, kept] of textTable) {
  test(`Redactor.text: ${name}`, () => {
    const out = new Redactor().text(input);
    for (const g of gone) assert.ok(!out.includes(g), `${JSON.stringify(g)} leaked: ${out}`);
    for (const k of kept) assert.ok(out.includes(k), `${JSON.stringify(k)} lost: ${out}`);
  });
}

test('secret-looking keys of objects: pwd, passwd, credentials, signature, sig are replaced whole', () => {
  const out = new Redactor().value({
    pwd: 'a b c',
    passwd: 'x',
    credentials: { user: 'u', pass: 'p' },
    signature: 's',
    sig: 'g',
    design: 'kept',
    keys: ['V8_USERNAME'],
  });
  assert.deepEqual(out, {
    pwd: '[REDACTED]',
    passwd: '[REDACTED]',
    credentials: '[REDACTED]',
    signature: '[REDACTED]',
    sig: '[REDACTED]',
    design: 'kept',
    keys: ['V8_USERNAME'],
  });
});

test('errors keep their stack and cause, redacted', () => {
  const r = new Redactor();
  r.addSecret('CANARY-stack-secret');
  const err = new Error('failed for CANARY-stack-secret', {
    cause: new Error('inner {"password":"deep secret words"}'),
  });
  const out = r.value(err) as { stack: string; message: string; cause: { message: string; stack: string } };
  assert.match(out.stack, /at /, 'the frames are there');
  assert.ok(!JSON.stringify(out).includes('CANARY-stack-secret'));
  assert.ok(!JSON.stringify(out).includes('deep secret words'));
  assert.match(out.cause.message, /inner/);
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

test('a 500 is logged with its stack, redacted', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logs-500-'));
  const { logger, redactor, close } = createLogger({
    port: 6124,
    clientName: 'Teste',
    level: 'info',
    logDir: dir,
    stdout: false,
  });
  redactor.addSecret('CANARY-500-secret');
  const handler = errorHandler(logger, redactor);
  let status = 0;
  let sent: unknown;
  const res = {
    headersSent: false,
    locals: { requestId: 'r-500' },
    setHeader: () => undefined,
    status(code: number) {
      status = code;
      return this;
    },
    json(body: unknown) {
      sent = body;
      return this;
    },
  };
  function failingStep(): never {
    throw new TypeError('cannot read CANARY-500-secret of {"password":"correct horse battery"}');
  }
  try {
    failingStep();
  } catch (err) {
    handler(err, {} as never, res as never, () => undefined);
  }
  await close();
  assert.equal(status, 500);
  assert.equal((sent as { error: { message: string } }).error.message, 'internal error');
  const lines = readFileSync(path.join(dir, 'error-6124.log'), 'utf8').trim().split('\n');
  const entry = JSON.parse(lines.at(-1) ?? '{}') as {
    message: string;
    err: { stack?: string; name: string };
  };
  assert.equal(entry.message, 'request error');
  assert.equal(entry.err.name, 'TypeError');
  assert.match(entry.err.stack ?? '', /failingStep/, 'the stack names the function that threw');
  const text = lines.join('\n');
  for (const leak of ['CANARY-500-secret', 'correct horse', 'horse battery']) {
    assert.ok(!text.includes(leak), `${leak} leaked into the log`);
  }
});
