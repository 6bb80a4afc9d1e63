// The /config-v8 console in a real browser (Debian's headless Chromium via playwright-core) against
// the real app, its workers, the fake V8 and the fake Kentro: sign-in, config, "Testar conexão",
// "Salvar", the "Painel" with a CSV batch followed to 100 % and its results downloaded, sign-out.
// Each step leaves a screenshot in test-artifacts/e2e/ (git-ignored) for a person to look at.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page, Response } from 'playwright-core';
import { TOKEN_FILE } from '../../app/adapters/v8/v8-token-cache.ts';
import { FAKE_KENTRO_CPFS } from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { ACCOUNT_A, ACCOUNT_B, ADMIN_PASSWORD, API_TOKEN, type E2eApp, startE2eApp } from './e2e-app.ts';

let app: E2eApp;
let browser: TestBrowser;
let page: Page;
/** Things the browser reported that must not happen (script errors, CSP violations). */
const problems: string[] = [];
/** Every response body the page received is checked for secrets at the end. */
const bodies: Promise<void>[] = [];
let responsesChecked = 0;
/** Paths the page asked for (the batch's event stream must be among them). */
const requested: string[] = [];

const masked = (login: string) => {
  const [local = '', domain = ''] = login.split('@');
  return `${local.slice(0, 2)}${'*'.repeat(Math.max(3, local.length - 2))}@${domain}`;
};

/** Five lines with known outcomes (fake V8 scenarios + fake Kentro seed) and one that is not a CPF. */
const BATCH = {
  simulated: FAKE_KENTRO_CPFS.maria,
  noMargin: FAKE_KENTRO_CPFS.joao,
  noBirthDate: FAKE_KENTRO_CPFS.ana,
  notInKentro: FAKE_KENTRO_CPFS.new1,
  invalid: '123.456.789-00',
};
const CSV_TEXT = [
  'cpf',
  '123.456.789-09', // maria, formatted
  BATCH.noMargin,
  BATCH.noBirthDate,
  BATCH.notInKentro,
  BATCH.invalid,
  '',
].join('\r\n');

function checkNoSecret(where: string, text: string): void {
  for (const secret of app.secrets) assert.ok(!text.includes(secret), `${where} leaks a secret`);
  // The V8 access token the app holds right now (its cache file in the data volume).
  const token = heldToken();
  if (token) assert.ok(!text.includes(token), `${where} leaks the V8 token`);
}

function heldToken(): string | undefined {
  try {
    return JSON.parse(readFileSync(path.join(app.dataDir, TOKEN_FILE), 'utf8')).accessToken;
  } catch {
    return undefined;
  }
}

function watch(p: Page): void {
  p.on('request', (r) => requested.push(new URL(r.url()).pathname));
  p.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  p.on('console', (m) => {
    // Chromium logs every 4xx answer ("Failed to load resource"); the wrong password and the final
    // 401 are such answers on purpose. CSP violations and script errors are what this catches.
    if (
      m.type() === 'error' &&
      !/^Failed to load resource: the server responded with a status of 40[13]/.test(m.text())
    ) {
      problems.push(`console error: ${m.text()}`);
    }
  });
  p.on('response', (r: Response) => {
    const type = r.headers()['content-type'] ?? '';
    // A stream's body only ends with the stream; its events are checked by the page's rendering.
    if (type.includes('text/event-stream')) return;
    // A body nobody reads never ends: give up on it after a while, and say so.
    let timer: NodeJS.Timeout | undefined;
    const unread = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('body not finished')), 10_000);
    });
    bodies.push(
      Promise.race([r.text(), unread])
        .finally(() => clearTimeout(timer))
        .then(
          (text) => {
            checkNoSecret(`${r.request().method()} ${r.url()}`, text);
            checkNoSecret(`headers of ${r.url()}`, JSON.stringify(r.headers()));
            responsesChecked++;
          },
          (err: Error) => {
            // A download or a request the page aborted (a reload) has no body to read here.
            if (err.message === 'body not finished') problems.push(`unread body: ${r.url()}`);
          },
        ),
    );
  });
}

async function text(selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}

before(async () => {
  // First: without Chromium this fails at once, saying how to install it (never a silent skip).
  browser = await launchBrowser({ artifacts: 'e2e' });
  app = await startE2eApp();
  page = browser.page;
  page.setDefaultTimeout(20_000);
  watch(page);
});

after(async () => {
  await browser?.close();
  await app?.close();
});

describe('console in headless Chromium', () => {
  test('the sign-in form: a wrong password is refused in pt-BR', async () => {
    await page.goto(`${app.url}/config-v8`);
    await page.waitForSelector('#entrar:not([hidden])');
    assert.equal(await page.getAttribute('html', 'lang'), 'pt-BR');
    assert.match(await page.title(), /Console V8 · Corban E2E/);
    assert.equal(await page.isVisible('#configuracao'), false);
    await browser.screenshot('entrar');

    await page.fill('#senha-console', 'senha-errada');
    await page.click('#form-entrar button[type=submit]');
    await page.waitForSelector('#aviso.erro:not([hidden])');
    assert.equal(await text('#aviso'), 'senha incorreta');
    assert.equal(await page.isVisible('#configuracao'), false);
    await browser.screenshot('senha-errada');
  });

  test('the right password opens the masked configuration; no secret in the page', async () => {
    await page.fill('#senha-console', ADMIN_PASSWORD);
    await page.click('#form-entrar button[type=submit]');
    await page.waitForSelector('#configuracao:not([hidden])');
    await page.waitForSelector('#tabela-chaves tr');
    assert.equal(await page.isVisible('#entrar'), false);
    assert.equal(await page.isVisible('#sair'), true);
    const resumo = await text('#resumo');
    assert.ok(resumo.includes(masked(ACCOUNT_A.username)), resumo);
    assert.match(resumo, /Senha V8\s*definido/);
    checkNoSecret('the page HTML', await page.content());
    await browser.screenshot('configuracao');
  });

  test('Testar conexão: a wrong V8 password shows the error, the right one success', async () => {
    await page.fill('#V8_USERNAME', ACCOUNT_B.username);
    await page.fill('#V8_PASSWORD', 'senha-v8-errada');
    await page.click('#testar');
    await page.waitForSelector('#resultado-credenciais.erro:not([hidden])');
    const erro = await text('#resultado-credenciais');
    assert.match(erro, /^Falhou: .*V8 recusou/);
    assert.match(erro, /Nada foi salvo\.$/);
    await browser.screenshot('testar-senha-errada');

    await page.fill('#V8_PASSWORD', ACCOUNT_B.password);
    await page.click('#testar');
    await page.waitForSelector('#resultado-credenciais.ok:not([hidden])');
    assert.match(await text('#resultado-credenciais'), /^Conexão OK: a V8 emitiu um token válido por 24 h/);
    await browser.screenshot('testar-ok');
  });

  test('Salvar, then a reload shows the new effective value and its source (console override)', async () => {
    await page.click('#salvar');
    await page.locator('#resultado-credenciais.ok', { hasText: /^Salvo e aplicado/ }).waitFor();
    assert.equal(await text('#resultado-credenciais'), 'Salvo e aplicado: V8_USERNAME, V8_PASSWORD.');
    await browser.screenshot('salvo');

    await page.reload();
    await page.waitForSelector('#tabela-chaves tr');
    const row = page.locator('#tabela-chaves tr', { hasText: 'V8_USERNAME' });
    assert.equal((await row.locator('td.valor').textContent())?.trim(), masked(ACCOUNT_B.username));
    const source = row.locator('.origem');
    assert.equal((await source.textContent())?.trim(), 'console');
    assert.match((await source.getAttribute('class')) ?? '', /origem-override/);
    assert.equal(
      (
        await page.locator('#tabela-chaves tr', { hasText: 'V8_PASSWORD' }).locator('.origem').textContent()
      )?.trim(),
      'console',
    );
    assert.ok((await text('#resumo')).includes(`${masked(ACCOUNT_B.username)} (console)`));
    checkNoSecret('the page HTML after the save', await page.content());
    await browser.screenshot('recarregado-sobrescrito');
  });

  test('Painel: health, V8 token and the (empty) lists', async () => {
    await page.click('button[data-aba=painel]');
    await page.waitForSelector('#painel:not([hidden])');
    await page.locator('#painel-saude', { hasText: 'No ar' }).waitFor();
    assert.equal(await page.isVisible('#configuracao'), false);
    assert.match(page.url(), /#painel$/);
    assert.match(await text('#painel-saude'), /Versão\s*\d+\.\d+\.\d+/);
    // The token of the new login was obtained by "Testar conexão"? No: the test used a probe of its own.
    assert.match(await text('#painel-token'), /^(Sem token|Válido até .+)$/);
    assert.match(
      await text('#painel-token-detalhe'),
      new RegExp(masked(ACCOUNT_B.username).replace(/\*/g, '\\*')),
    );
    assert.equal(await text('#tabela-fluxos'), 'Nenhum fluxo ainda.');
    assert.equal(await text('#lista-lotes'), 'Nenhum lote enviado ainda.');
    await browser.screenshot('painel');

    // A flow started through the API shows up by itself (automatic refresh, no click).
    const res = await fetch(`${app.url}/api/v1/flows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ cpf: FAKE_KENTRO_CPFS.new2 }),
    });
    assert.equal(res.status, 202);
    await page
      .locator('#tabela-fluxos tr', { hasText: '763.014.258-71' })
      .filter({ hasText: 'Falhou' })
      .waitFor({ timeout: 15_000 });
  });

  test('Enviar lote CSV: the progress bar reaches 100 % and the flows show their outcomes', async () => {
    await page.setInputFiles('#arquivo-lote', {
      name: 'lote-teste.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV_TEXT, 'utf8'),
    });
    assert.match(await text('#arquivo-nome'), /^lote-teste\.csv/);
    await page.click('#enviar-lote');
    await page.waitForSelector('#resultado-lote.ok:not([hidden])');
    assert.match(await text('#resultado-lote'), /^Lote iniciado com 4 CPFs; 1 linha recusada/);
    await page.waitForSelector('#lista-lotes .lote');
    await browser.screenshot('lote-enviado');

    await page.waitForSelector('#lista-lotes .lote[data-situacao="completed"]', { timeout: 60_000 });
    const id = await page.locator('#lista-lotes .lote').first().getAttribute('data-lote');
    assert.ok(
      requested.includes(`/config-v8/api/batches/${id}/events`),
      'progress came over the event stream',
    );
    const lote = page.locator('#lista-lotes .lote').first();
    assert.equal(await lote.locator('progress').getAttribute('data-percent'), '100');
    assert.match((await lote.locator('.lote-progresso').textContent()) ?? '', /^5 de 5 processados \(100%\)/);
    assert.deepEqual(await lote.locator('.contagem').allTextContents(), [
      '1 simulado',
      '1 sem margem',
      '2 com falha',
      '1 inválido',
    ]);
    assert.match((await lote.locator('.lote-recusadas summary').textContent()) ?? '', /1 linha recusada/);
    assert.equal(await lote.locator('.lote-cancelar').isVisible(), false);

    // The flows table refreshes by itself with the batch's flows.
    await page.locator('#tabela-fluxos tr[data-fluxo]').nth(4).waitFor({ timeout: 15_000 });
    const flows = await text('#tabela-fluxos');
    assert.match(flows, /123\.456\.789-09\s*lote\s*Concluído\s*Simulado/);
    assert.match(flows, /Sem margem/);
    assert.match(flows, /consulta recusada pela V8/);
    await lote.locator('.lote-recusadas summary').click();
    await browser.screenshot('lote-concluido');
  });

  test('Baixar resultados (CSV): one row per CPF with its outcome', async () => {
    const lote = page.locator('#lista-lotes .lote').first();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      lote.locator('a.lote-baixar').click(),
    ]);
    assert.match(download.suggestedFilename(), /^lote-.+-resultados\.csv$/);
    const file = await download.path();
    const csv = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    checkNoSecret('the results CSV', csv);
    const [header = '', ...lines] = csv.trimEnd().split('\r\n');
    const columns = header.split(';');
    assert.deepEqual(columns.slice(0, 5), ['linha', 'cpf', 'status', 'resultado', 'motivo']);
    const rows = lines.map((l) => Object.fromEntries(l.split(';').map((v, i) => [columns[i], v])));
    assert.equal(rows.length, 5, csv);
    const rowOf = (cpf: string) => rows.find((r) => (r.cpf ?? '').replace(/\D/g, '') === cpf) ?? {};
    assert.deepEqual(
      rows.map((r) => [r.linha, r.status]),
      [
        ['2', 'simulated'],
        ['3', 'no_margin'],
        ['4', 'failed'],
        ['5', 'failed'],
        ['6', 'invalid'],
      ],
    );
    assert.equal(rowOf(BATCH.simulated).cpf, '123.456.789-09');
    assert.equal(rowOf(BATCH.simulated).prazo, '96');
    assert.match(rowOf(BATCH.simulated).valor_liberado ?? '', /^\d+,\d\d$/);
    assert.match(rowOf(BATCH.noMargin).motivo ?? '', /consulta recusada pela V8/);
    assert.match(rowOf(BATCH.noBirthDate).motivo ?? '', /data de nascimento/);
    assert.match(rowOf(BATCH.notInKentro).motivo ?? '', /Nenhuma oportunidade aberta no Kentro/);
    assert.equal(rows[4]?.cpf, BATCH.invalid);
    await browser.screenshot('resultados-baixados');
  });

  test('Pendências do CRM: a note Kentro never confirmed is listed; Descartar (confirmed) takes it out', async () => {
    // Parked in the same tick it is queued, as the relay parks an unanswered note: it is never sent.
    const now = Date.now();
    app.store.outbox.enqueue(
      { key: 'e2e:parked-note', kind: 'note', opportunityId: 40101, payload: { text: 'Nota sem resposta' } },
      now,
    );
    const row = app.store.outbox.list('pending', 10).find((r) => r.idempotencyKey === 'e2e:parked-note');
    assert.ok(row);
    app.store.outbox.park(
      row.id,
      'unknown_outcome',
      'Kentro did not answer insertOpportunityNote within 30000 ms',
      now,
    );

    const linha = page.locator(`#tabela-pendencias tr[data-outbox="${row.id}"]`);
    await linha.waitFor({ timeout: 15_000 });
    const conteudo = (await linha.textContent()) ?? '';
    assert.match(conteudo, /Nota/);
    assert.match(conteudo, /40101/);
    assert.match(conteudo, /Nota sem resposta/);
    assert.match(conteudo, /Sem confirmação/);
    assert.match(conteudo, /não confirmou: pode ter sido aplicado/);
    assert.ok(await linha.locator('button.crm-reenviar').isVisible());
    await browser.screenshot('pendencias-crm');

    let pergunta = '';
    page.once('dialog', (d) => {
      pergunta = d.message();
      void d.accept();
    });
    await linha.locator('button.crm-descartar').click();
    await page.waitForSelector('#resultado-pendencias.ok:not([hidden])');
    assert.match(pergunta, /Descartar esta nota da oportunidade 40101/);
    assert.equal(await text('#resultado-pendencias'), 'Item descartado.');
    await linha.waitFor({ state: 'detached' });
    assert.equal(app.store.outbox.get(row.id)?.status, 'dropped');
    assert.equal(
      app.fakeKentro
        .requests('insertOpportunityNote')
        .filter((r) => (r.body as { note?: string }).note === 'Nota sem resposta').length,
      0,
    );
  });

  test('Sair: back to the sign-in form, and the API is closed again', async () => {
    await page.click('#sair');
    await page.waitForSelector('#entrar:not([hidden])');
    assert.equal(await text('#aviso'), 'Você saiu do console.');
    assert.equal(await page.isVisible('#painel'), false);
    assert.equal(await page.isVisible('#abas'), false);
    const status = await page.evaluate(async () => {
      const res = await fetch('/config-v8/api/dashboard');
      await res.text();
      return res.status;
    });
    assert.equal(status, 401);
    await browser.screenshot('saiu');
  });

  test('no script error or CSP violation, and no secret in any response the page received', async () => {
    await Promise.all(bodies);
    assert.deepEqual(problems, []);
    assert.ok(responsesChecked > 20, `responses checked: ${responsesChecked}`);
  });
});
