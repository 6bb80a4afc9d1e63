import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  listedCpf,
  MAX_BATCH_CPFS,
  planCpfList,
  readCpfCsv,
  rowsFromList,
} from '../../app/domain/cpf-list-parser.ts';
import { parseBirthDate } from '../../app/domain/lead.ts';

// Checksum-valid invented CPFs.
const A = '52998224725';
const B = '11144477735';
const C = '12345678909';
const Z = '03581264951'; // leading zero

interface Case {
  readonly name: string;
  readonly csv: string;
  /** [line, value as read] of every data row. */
  readonly rows: [number, string][];
  readonly column?: string | null;
}

const CASES: Case[] = [
  {
    name: 'one per line',
    csv: `${A}\n${B}\n${C}\n`,
    rows: [
      [1, A],
      [2, B],
      [3, C],
    ],
    column: null,
  },
  {
    name: 'no trailing newline',
    csv: `${A}\n${B}`,
    rows: [
      [1, A],
      [2, B],
    ],
  },
  {
    name: 'CRLF',
    csv: `${A}\r\n${B}\r\n`,
    rows: [
      [1, A],
      [2, B],
    ],
  },
  {
    name: 'old Mac CR',
    csv: `${A}\r${B}\r`,
    rows: [
      [1, A],
      [2, B],
    ],
  },
  { name: 'UTF-8 BOM before the header', csv: `\uFEFFcpf\r\n${A}\r\n`, rows: [[2, A]], column: 'cpf' },
  { name: 'UTF-8 BOM before data', csv: `\uFEFF${A}\n`, rows: [[1, A]] },
  {
    name: 'formatted CPFs',
    csv: '529.982.247-25\n111.444.777-35\n',
    rows: [
      [1, '529.982.247-25'],
      [2, '111.444.777-35'],
    ],
  },
  {
    name: 'blank and whitespace-only lines are skipped, numbering stays physical',
    csv: `\n${A}\n\n   \n${B}\n`,
    rows: [
      [2, A],
      [5, B],
    ],
  },
  {
    name: 'rows of empty cells (a spreadsheet\'s trailing ";;") are skipped',
    csv: `nome;cpf;obs\nMaria;${A};\n;;\n ; ; \n`,
    rows: [[2, A]],
  },
  {
    name: 'header with a cpf column among others, ";" (pt-BR Excel)',
    csv: `Nome;CPF;Telefone;Valor\nMaria;${A};(11) 91234-5678;1.234,56\nJoão;${B};;\n`,
    rows: [
      [2, A],
      [3, B],
    ],
    column: 'CPF',
  },
  {
    name: 'header with a cpf column, ","',
    csv: `nome,cpf,cidade\nMaria,${A},São Paulo\nJoão,${B},Rio\n`,
    rows: [
      [2, A],
      [3, B],
    ],
    column: 'cpf',
  },
  {
    name: 'header names with accents/case/extra words ("CPF do Cliente")',
    csv: `Código;CPF do Cliente\n1;${A}\n`,
    rows: [[2, A]],
    column: 'CPF do Cliente',
  },
  {
    name: 'quoted cells, a quoted delimiter and an escaped quote in another column',
    csv: `"nome";"cpf"\n"Silva; Maria ""Mary""";"${A}"\n"Souza, João";"529.982.247-25"\n`,
    rows: [
      [2, A],
      [3, '529.982.247-25'],
    ],
  },
  {
    name: 'a quoted cell spanning two lines keeps the numbering of the record start',
    csv: `obs;cpf\n"linha um\nlinha dois";${A}\nx;${B}\n`,
    rows: [
      [2, A],
      [4, B],
    ],
  },
  { name: 'tab separated', csv: `nome\tcpf\nMaria\t${A}\n`, rows: [[2, A]] },
  {
    name: 'no header, several columns: the column holding CPFs is found',
    csv: `Maria;${A};11912345678\nJoão;${B};21987654321\n`,
    rows: [
      [1, A],
      [2, B],
    ],
  },
  {
    name: 'one-column list with a header of another name',
    csv: `documento\n${A}\n`,
    rows: [[2, A]],
    column: 'documento',
  },
  { name: 'values are trimmed', csv: `  ${A}  \n`, rows: [[1, A]] },
  { name: 'empty text', csv: '', rows: [] },
  { name: 'only a header', csv: 'cpf\r\n', rows: [] },
];

describe('readCpfCsv', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const r = await readCpfCsv(c.csv);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(
        r.rows.map((x) => [x.line, x.value]),
        c.rows,
      );
      if (c.column !== undefined) assert.equal(r.column, c.column);
    });
  }

  test('text arriving in chunks of any size reads the same as in one piece', async () => {
    const csv = `\uFEFF"nome";"cpf"\r\n"Silva; Maria ""Mary""";"${A}"\r\n\r\n"obs\r\nem duas linhas";${B}\r\nJoão;${C}`;
    const whole = await readCpfCsv(csv);
    assert.ok(whole.ok);
    assert.deepEqual(
      whole.rows.map((x) => [x.line, x.value]),
      [
        [2, A],
        [4, B],
        [6, C],
      ],
    );
    for (const size of [1, 2, 3, 7, 64]) {
      async function* pieces() {
        for (let i = 0; i < csv.length; i += size) yield csv.slice(i, i + size);
      }
      assert.deepEqual(await readCpfCsv(pieces()), whole, `chunks of ${size}`);
    }
  });

  test('past maxRows the reading stops: the rest of the source is never pulled', async () => {
    let pulled = 0;
    async function* endless() {
      yield 'cpf\n';
      for (;;) {
        pulled++;
        yield `${A}\n${B}\n`;
      }
    }
    const r = await readCpfCsv(endless(), { maxRows: 5 });
    assert.deepEqual(r, { ok: false, kind: 'too_many', maxRows: 5 });
    assert.ok(pulled <= 4, `pulled ${pulled} chunks for 6 rows`);
    const exactly = await readCpfCsv(`cpf\n${A}\n\n${B}\n${C}\n`, { maxRows: 3 });
    assert.ok(exactly.ok && exactly.rows.length === 3, 'blank lines and the header do not count');
  });

  test('a quote never closed and an endless line are refused with a reason naming the line', async () => {
    const open = await readCpfCsv(`cpf;obs\n${A};"sem fim\n${B};x\n`);
    assert.equal(open.ok, false);
    assert.match((open as { reason: string }).reason, /aspas abertas e não fechadas/);
    const long = await readCpfCsv(`cpf;obs\n${A};${'x'.repeat(70_000)}\n`);
    assert.equal(long.ok, false);
    assert.match((long as { reason: string }).reason, /linha longa demais .*\(linha 2\)/);
  });

  test('a header without a cpf column among several is refused, naming the columns', async () => {
    const r = await readCpfCsv('nome;telefone\nMaria;11912345678\n');
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /não tem uma coluna "cpf" \(colunas: nome, telefone\)/);
  });
});

describe('listedCpf', () => {
  const TABLE: [string, string | RegExp][] = [
    [A, A],
    ['529.982.247-25', A],
    [' 529.982.247-25 ', A],
    ['3581264951', Z], // a spreadsheet dropped the leading zero
    [Z, Z],
    ['52998224724', /dígitos verificadores/],
    ['111.111.111-11', /todos os dígitos iguais/],
    ['5299822', /11 dígitos/],
    ['529982247250', /11 dígitos/],
    ['52998224a25', /caracteres inválidos/],
    ['5,29982E+10', /caracteres inválidos/], // scientific notation cannot be recovered
    ['', /^CPF vazio$/],
  ];
  for (const [input, expected] of TABLE) {
    test(`${JSON.stringify(input)}`, () => {
      const r = listedCpf(input);
      if (typeof expected === 'string') assert.deepEqual(r, { cpf: expected });
      else assert.match((r as { reason: string }).reason, expected);
    });
  }
});

describe('planCpfList', () => {
  test('invalid values and duplicates are reported by line; each CPF is accepted once, in order', async () => {
    const csv = `cpf\n${A}\n529.982.247-25\n52998224724\n\n${B}\n${A}\n\n3581264951\nabc\n`;
    const r = await readCpfCsv(csv);
    assert.ok(r.ok);
    const plan = planCpfList(r.rows);
    assert.deepEqual(plan.accepted, [
      { line: 2, cpf: A },
      { line: 6, cpf: B },
      { line: 9, cpf: Z },
    ]);
    assert.deepEqual(
      plan.invalid.map((x) => [x.line, x.value]),
      [
        [4, '52998224724'],
        [10, 'abc'],
      ],
    );
    assert.deepEqual(plan.duplicates, [
      { line: 3, value: '529.982.247-25', reason: 'CPF repetido (já está na linha 2)' },
      { line: 7, value: A, reason: 'CPF repetido (já está na linha 2)' },
    ]);
    assert.deepEqual(
      plan.rejected.map((x) => x.line),
      [3, 4, 7, 10],
    );
  });

  test('a CPF with its cell empty is an invalid line, not skipped', async () => {
    const r = await readCpfCsv(`nome;cpf\nMaria;\nJoão;${B}\n`);
    assert.ok(r.ok);
    const plan = planCpfList(r.rows);
    assert.deepEqual(plan.invalid, [{ line: 2, value: '', reason: 'CPF vazio' }]);
    assert.equal(plan.accepted.length, 1);
  });

  test('JSON lists: positions are the lines; numbers are accepted, other types are invalid', () => {
    const plan = planCpfList(rowsFromList([A, 3581264951, null, { cpf: A }, B, '529.982.247-25']));
    assert.deepEqual(
      plan.accepted.map((a) => [a.line, a.cpf]),
      [
        [1, A],
        [2, Z],
        [5, B],
      ],
    );
    assert.deepEqual(
      plan.rejected.map((x) => [x.line, x.value]),
      [
        [3, 'null'],
        [4, '{"cpf":"52998224725"}'],
        [6, '529.982.247-25'],
      ],
    );
  });

  test('the batch limit is 10000', () => {
    assert.equal(MAX_BATCH_CPFS, 10_000);
  });
});

describe('readCpfCsv: lead columns (cpf,nome,nascimento,telefone,email,sexo)', () => {
  interface LeadCase {
    readonly name: string;
    readonly csv: string;
    /** [line, cpf as read, lead] of every data row. */
    readonly rows: [number, string, Record<string, string> | undefined][];
  }
  const MARIA = {
    name: 'Maria da Silva',
    birthDate: '31/01/1990',
    phone: '(11) 91234-5678',
    email: 'maria@example.com',
    gender: 'F',
  };
  const CASES: LeadCase[] = [
    {
      name: 'Portuguese headers, ";", in the documented order',
      csv: `cpf;nome;nascimento;telefone;email;sexo\n${A};Maria da Silva;31/01/1990;(11) 91234-5678;maria@example.com;F\n`,
      rows: [[2, A, MARIA]],
    },
    {
      name: 'English headers, ",", another order, ISO date',
      csv: `Name,Phone,Tax ID,Gender,Birth_Date,E-mail\nMaria da Silva,(11) 91234-5678,${A},F,1990-01-31,maria@example.com\n`,
      rows: [[2, A, { ...MARIA, birthDate: '1990-01-31' }]],
    },
    {
      name: 'accents, case and spaces in headers; UTF-8 BOM; CRLF',
      csv: `\uFEFFNome Completo;CPF;Data de Nascimento;Celular;E-mail;Sexo\r\nMaria da Silva;529.982.247-25;31/01/1990;(11) 91234-5678;maria@example.com;F\r\n`,
      rows: [[2, '529.982.247-25', MARIA]],
    },
    {
      name: 'some lead columns only; blanks and "null" are left out; a row with none has no lead',
      csv: `cpf,nome,telefone,gênero\n${A},Maria da Silva,null,\n${B},,,\n`,
      rows: [
        [2, A, { name: 'Maria da Silva' }],
        [3, B, undefined],
      ],
    },
    {
      name: 'quoted names with the delimiter inside; unknown columns ignored',
      csv: `"nome";"cpf";"valor";"dt_nascimento"\n"Silva; Maria";"${A}";"1.234,56";"01/02/1980"\n`,
      rows: [[2, A, { name: 'Silva; Maria', birthDate: '01/02/1980' }]],
    },
    {
      name: 'no header: no lead data (columns cannot be named)',
      csv: `Maria;${A};11912345678\n`,
      rows: [[1, A, undefined]],
    },
  ];
  for (const c of CASES) {
    test(c.name, async () => {
      const r = await readCpfCsv(c.csv);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(
        r.rows.map((x) => [x.line, x.value, x.lead]),
        c.rows,
      );
    });
  }

  test('both date forms normalize to the same birth date; the plan keeps each accepted row its lead', async () => {
    const r = await readCpfCsv(
      `cpf;nome;nascimento\n${A};Maria;31/01/1990\n${B};João;1990-01-31\n${A};Outra;01/01/2000\n`,
    );
    assert.ok(r.ok);
    const dates = r.rows.map((x) => parseBirthDate(x.lead?.birthDate, '2026-01-01'));
    assert.deepEqual(dates.slice(0, 2), [{ date: '1990-01-31' }, { date: '1990-01-31' }]);
    const plan = planCpfList(r.rows);
    assert.deepEqual(
      plan.accepted.map((a) => [a.cpf, a.lead?.name]),
      [
        [A, 'Maria'],
        [B, 'João'],
      ],
      'a repeated CPF keeps the first row',
    );
  });
});
