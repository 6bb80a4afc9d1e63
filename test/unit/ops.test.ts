import assert from 'node:assert/strict';
import { test } from 'node:test';
import dotenv from 'dotenv';
import { hashPassword, verifyPassword } from '../../app/domain/password-hash.ts';
import { makeArgs, mergeMakeArgs } from '../../scripts/lib/make-args.ts';
import { parsePort, subnetForPort } from '../../scripts/lib/ports.ts';
import { quoteEnvValue, renderTemplate } from '../../scripts/lib/template.ts';

const portTable: [string | undefined, number | RegExp][] = [
  ['6000', 6000],
  [' 1024 ', 1024],
  ['65535', 65535],
  [undefined, /PORT is required/],
  ['', /PORT is required/],
  ['abc', /not a number/],
  ['../x', /not a number/],
  ['60.5', /not a number/],
  ['-1', /not a number/],
  ['80', /outside 1024-65535/],
  ['1023', /outside 1024-65535/],
  ['70000', /outside 1024-65535/],
];
for (const [input, expected] of portTable) {
  test(`parsePort(${JSON.stringify(input)})`, () => {
    const r = parsePort(input);
    if (typeof expected === 'number') assert.deepEqual(r, { ok: true, port: expected });
    else {
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, expected);
    }
  });
}

test('every port gets its own /28 inside 10.128.0.0/12, with no overlap', () => {
  const seen = new Set<string>();
  for (let port = 1024; port <= 65535; port++) {
    const subnet = subnetForPort(port);
    const m = /^10\.(\d+)\.(\d+)\.(\d+)\/28$/.exec(subnet);
    assert.ok(m, subnet);
    const [b, c, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    assert.ok(b >= 128 && b <= 143 && c <= 255 && d % 16 === 0, subnet);
    seen.add(subnet);
  }
  assert.equal(seen.size, 65535 - 1024 + 1);
});

const tricky = [
  'plain',
  'Empresa X',
  "D'Ávila",
  'say "hi"',
  'a#b',
  'back\\slash',
  'mixed \'q\' and "qq"',
  'line\nbreak',
];
for (const value of tricky) {
  test(`a value survives the env file round trip: ${JSON.stringify(value)}`, () => {
    const parsed = dotenv.parse(`KEY=${quoteEnvValue(value)}\nNEXT=1\n`);
    assert.equal(parsed.NEXT, '1', 'no key was swallowed or injected');
    assert.equal(parsed.KEY, value.replace(/\n/g, ' '));
  });
}

test('a value holding every kind of quote is refused, naming the key, instead of being changed', () => {
  for (const value of [`it's "all" \`three\``, "a'b\\c`d"]) {
    assert.throws(
      () => renderTemplate('CLIENT_NAME=__CLIENT_NAME__\n', { CLIENT_NAME: value }),
      (err: Error) => /CLIENT_NAME cannot be written/.test(err.message) && /'/.test(err.message),
    );
    assert.throws(() => quoteEnvValue(value), /cannot be written to the config file/);
  }
});

test('renderTemplate fills placeholders and empties unknown ones', () => {
  assert.equal(renderTemplate('A=__A__\nB=__B__\n', { A: 'x y' }), "A='x y'\nB=\n");
});

test('admin password hashes verify only the right password and are env-file safe', () => {
  const h = hashPassword('correct horse');
  assert.match(h, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
  assert.equal(verifyPassword('correct horse', h), true);
  assert.equal(verifyPassword('wrong', h), false);
  assert.equal(verifyPassword('correct horse', undefined), false);
  assert.equal(verifyPassword('x', 'scrypt$bad'), false);
  assert.notEqual(hashPassword('same'), hashPassword('same'));
});

test('make variables: empty means not given, flags accept 1/yes/true, the command line wins', () => {
  const fromMake = makeArgs({
    CLT_ARG_PORT: '6000',
    CLT_ARG_NAME: 'Corban"; touch /tmp/x; echo "',
    CLT_ARG_PASSWORD: '',
    CLT_ARG_SANDBOX: 'yes',
    CLT_ARG_PURGE: '0',
    CLT_ARG_FORCE: 'TRUE',
  });
  assert.deepEqual(fromMake, {
    port: '6000',
    name: 'Corban"; touch /tmp/x; echo "',
    sandbox: true,
    force: true,
  });
  const merged = mergeMakeArgs({ port: '7000', name: undefined, sandbox: false, purge: false }, fromMake);
  assert.deepEqual(merged, {
    port: '7000',
    name: 'Corban"; touch /tmp/x; echo "',
    sandbox: true,
    purge: false,
    force: true,
  });
});
