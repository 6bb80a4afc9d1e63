import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitBrazilianPhone } from '../../app/domain/phone.ts';

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
