import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeLead, normalizePhone } from '../../app/domain/lead.ts';
import { addMobileNine, splitBrazilianPhone } from '../../app/domain/phone.ts';

const OK: [input: string, areaCode: string, phoneNumber: string][] = [
  ['(11) 91234-5678', '11', '912345678'],
  ['11912345678', '11', '912345678'],
  ['+55 11 91234-5678', '11', '912345678'],
  ['+5511912345678', '11', '912345678'],
  ['5511912345678', '11', '912345678'],
  ['(21) 3456-7890', '21', '34567890'], // landline, 8 digits
  ['2134567890', '21', '34567890'],
  ['011 91234-5678', '11', '912345678'], // trunk zero
  ['55 (55) 99876-5432', '55', '998765432'], // DDD 55 (RS) after the country code
  ['(55) 99876-5432', '55', '998765432'], // DDD 55 without country code: 11 digits
];

for (const [input, areaCode, phoneNumber] of OK) {
  test(`phone ${JSON.stringify(input)} -> 55/${areaCode}/${phoneNumber}`, () => {
    assert.deepEqual(splitBrazilianPhone(input), {
      ok: true,
      phone: { countryCode: '55', areaCode, phoneNumber },
    });
  });
}

const BAD: [input: string, reasonPart: RegExp][] = [
  ['', /required/],
  ['912345678', /area code/], // no DDD
  ['1191234567890', /area code/], // too long
  ['+1 415 555 0100', /Brazilian/],
  ['(10) 91234-5678', /does not exist/], // DDD with a zero
  ['(11) 81234-5678x', /only digits/],
  ['(11) 812345678', /must start with 9/], // 9 digits not starting with 9
];

for (const [input, reason] of BAD) {
  test(`phone ${JSON.stringify(input)} is rejected`, () => {
    const r = splitBrazilianPhone(input);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, reason);
  });
}

// The "nono dígito" rule (PHONE_ADD_MOBILE_NINE): 8-digit numbers in the old mobile ranges (6-9)
// get their leading 9; fixed lines (2-5) and 9-digit mobiles are kept.
const NINE: [input: string, on: string, off: string][] = [
  ['(11) 9123-4567', '991234567', '91234567'],
  ['(31) 8765-4321', '987654321', '87654321'],
  ['(21) 7654-3210', '976543210', '76543210'],
  ['(85) 6543-2109', '965432109', '65432109'],
  ['5561 8888-7777', '988887777', '88887777'],
  ['(21) 3456-7890', '34567890', '34567890'], // fixed line
  ['(11) 2345-6789', '23456789', '23456789'], // fixed line
  ['(51) 5432-1098', '54321098', '54321098'], // fixed line
  ['(11) 91234-5678', '912345678', '912345678'], // already 9 digits
  ['+55 11 98765-4321', '987654321', '987654321'],
];

for (const [input, on, off] of NINE) {
  test(`mobile nine: ${JSON.stringify(input)} -> ${on} (on), ${off} (off)`, () => {
    const split = splitBrazilianPhone(input);
    assert.ok(split.ok);
    assert.equal(addMobileNine(split.phone).phoneNumber, on);
    const withNine = normalizePhone(input, { addNine: true });
    const asWritten = normalizePhone(input, { addNine: false });
    assert.deepEqual(withNine, { phone: { ...split.phone, phoneNumber: on } });
    assert.deepEqual(asWritten, { phone: { ...split.phone, phoneNumber: off } });
  });
}

test('the lead sent to V8 follows the setting', () => {
  const raw = { name: 'Maria Teste', birthDate: '15/04/1990', phone: '(31) 8765-4321' };
  const o = { cpf: '12345678909', today: '2026-01-15', placeholderEmailDomain: 'example.com' };
  const on = normalizeLead(raw, { ...o, addMobileNine: true });
  const off = normalizeLead(raw, { ...o, addMobileNine: false });
  assert.ok(on.ok && off.ok);
  assert.equal(on.lead.phone.phoneNumber, '987654321');
  assert.equal(off.lead.phone.phoneNumber, '87654321');
});
