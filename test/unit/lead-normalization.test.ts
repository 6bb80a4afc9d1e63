import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  describeLeadProblems,
  normalizeEmail,
  normalizeGender,
  normalizeLead,
  normalizeName,
  normalizePhone,
  parseBirthDate,
  placeholderEmail,
  presentText,
} from '../../app/domain/lead.ts';

const TODAY = '2026-01-15';

describe('lead normalization', () => {
  test('presentText treats CRM blanks as missing', () => {
    const cases: [string | undefined | null, string | undefined][] = [
      [undefined, undefined],
      [null, undefined],
      ['', undefined],
      ['   ', undefined],
      ['null', undefined],
      ['NULL', undefined],
      ['undefined', undefined],
      ['-', undefined],
      ['  Maria   da  Silva ', 'Maria da Silva'],
    ];
    for (const [input, want] of cases) assert.equal(presentText(input), want, String(input));
  });

  test('names: upper case, single spaces; numbers and blanks are no name', () => {
    const cases: [string | undefined, string | undefined][] = [
      ['maria teste da silva', 'MARIA TESTE DA SILVA'],
      ['  José   Antônio  ', 'JOSÉ ANTÔNIO'],
      ["joana d'arc", "JOANA D'ARC"],
      ['Ana-Maria (cliente)', 'ANA-MARIA CLIENTE'],
      ['5511912345678', undefined],
      ['+55 11 91234-5678', undefined],
      ['Maria 2', undefined],
      ['', undefined],
      ['null', undefined],
      [undefined, undefined],
      ['A', undefined],
    ];
    for (const [input, want] of cases) {
      const r = normalizeName(input);
      assert.equal('name' in r ? r.name : undefined, want, String(input));
      if (want === undefined) assert.ok('reason' in r && /nome/.test(r.reason));
    }
  });

  test('birth dates: DD/MM/YYYY and friends to ISO, impossible dates refused', () => {
    const cases: [string | undefined, string | undefined][] = [
      ['15/04/1990', '1990-04-15'],
      ['5/4/1990', '1990-04-05'],
      ['05-04-1990', '1990-04-05'],
      ['05.04.1990', '1990-04-05'],
      ['1990-04-15', '1990-04-15'],
      ['1990-04-15T00:00:00.000Z', '1990-04-15'],
      ['29/02/2000', '2000-02-29'],
      ['29/02/1999', undefined],
      ['31/04/1990', undefined],
      ['12/13/1990', undefined],
      ['04/15/1990', undefined],
      ['1990/04/15', undefined],
      ['15/04/90', undefined],
      ['16/01/2026', undefined],
      ['01/01/1900', undefined],
      ['null', undefined],
      ['', undefined],
      [undefined, undefined],
    ];
    for (const [input, want] of cases) {
      const r = parseBirthDate(input, TODAY);
      assert.equal('date' in r ? r.date : undefined, want, String(input));
    }
    const missing = parseBirthDate('null', TODAY);
    assert.ok('reason' in missing && missing.reason === 'data de nascimento não informada');
  });

  test('e-mails: lower case when valid; otherwise none (the placeholder applies)', () => {
    const cases: [string | undefined, string | undefined][] = [
      ['Maria.Teste@Example.COM', 'maria.teste@example.com'],
      [' maria@example.com ', 'maria@example.com'],
      ['maria@', undefined],
      ['maria', undefined],
      ['null', undefined],
      [undefined, undefined],
    ];
    for (const [input, want] of cases) assert.equal(normalizeEmail(input), want, String(input));
    assert.equal(placeholderEmail('12345678909', 'example.com'), '12345678909@example.com');
  });

  test('gender: Portuguese and English spellings; unknown stays unknown', () => {
    const cases: [string | undefined, string | undefined][] = [
      ['F', 'female'],
      ['feminino', 'female'],
      ['Mulher', 'female'],
      ['m', 'male'],
      ['MASCULINO', 'male'],
      ['male', 'male'],
      ['outro', undefined],
      [undefined, undefined],
    ];
    for (const [input, want] of cases) assert.equal(normalizeGender(input), want, String(input));
  });

  test('phone: Kentro 55+DDD+number and local formats split for V8', () => {
    const cases: [string | undefined, string | undefined][] = [
      ['5511912345678', '55|11|912345678'],
      ['(21) 98765-4321', '55|21|987654321'],
      ['+55 31 99111-2222', '55|31|991112222'],
      ['1133334444', '55|11|33334444'],
      ['912345678', undefined],
      ['null', undefined],
      [undefined, undefined],
    ];
    for (const [input, want] of cases) {
      const r = normalizePhone(input);
      const got =
        'phone' in r ? `${r.phone.countryCode}|${r.phone.areaCode}|${r.phone.phoneNumber}` : undefined;
      assert.equal(got, want, String(input));
    }
  });

  test('a complete lead; e-mail placeholder and default gender are flagged', () => {
    const r = normalizeLead(
      { name: 'maria teste', birthDate: '15/04/1990', phone: '5511912345678', email: 'null' },
      { cpf: '12345678909', today: TODAY, placeholderEmailDomain: 'example.com' },
    );
    assert.deepEqual(r, {
      ok: true,
      lead: {
        name: 'MARIA TESTE',
        birthDate: '1990-04-15',
        email: '12345678909@example.com',
        emailIsPlaceholder: true,
        phone: { countryCode: '55', areaCode: '11', phoneNumber: '912345678' },
        gender: 'male',
        genderIsDefault: true,
      },
    });
  });

  test('every missing required field is reported, in pt-BR', () => {
    const r = normalizeLead(
      { name: '5511912345678', birthDate: 'null', phone: '' },
      { cpf: '12345678909', today: TODAY, placeholderEmailDomain: 'example.com' },
    );
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(
      r.problems.map((p) => p.field),
      ['name', 'birthDate', 'phone'],
    );
    assert.equal(
      describeLeadProblems(r.problems),
      'Dados do cliente incompletos: nome do cliente inválido (sem letras, parece um número); ' +
        'data de nascimento não informada; telefone não informado.',
    );
  });
});
