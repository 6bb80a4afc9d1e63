import { readFileSync } from 'node:fs';
import { Router } from 'express';
import { z } from 'zod';
import type { ChainCheck, EvidenceEntry } from '../../domain/evidence-chain.ts';
import { sessionOf } from '../middleware/session.ts';
import { parseInput, v8IdField } from '../validation.ts';
import { WEB_DIR } from './console.ts';
import type { ConsoleContext } from './console-context.ts';

const idParams = z.object({ id: v8IdField });

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const EVENT_TEXT: Record<string, string> = {
  consult_created: 'Criação da consulta (termo de consentimento enviado à V8)',
  consult_authorized: 'Autorização da consulta',
};

const BREAK_TEXT: Record<string, string> = {
  deleted: 'registros anteriores foram apagados',
  relinked: 'o encadeamento não confere (registro apagado, trocado ou reordenado)',
  altered: 'o conteúdo do registro foi alterado',
};

const brasilia = new Intl.DateTimeFormat('pt-BR', {
  timeZone: 'America/Sao_Paulo',
  dateStyle: 'short',
  timeStyle: 'medium',
});

/** "2026-11-28 23:34:57.703 UTC (28/11/2026, 20:34:57 em Brasília)" */
export function formatInstant(ms: number): string {
  const iso = new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
  return `${iso} (${brasilia.format(ms)} em Brasília)`;
}

const formatCpf = (cpf: string | null) =>
  cpf && /^\d{11}$/.test(cpf)
    ? `${cpf.slice(0, 3)}.${cpf.slice(3, 6)}.${cpf.slice(6, 9)}-${cpf.slice(9)}`
    : '—';

function actorText(e: EvidenceEntry): string {
  if (e.actor.kind === 'api_token') return `Token de API "${e.actor.label}" (sistema do cliente)`;
  if (e.actor.kind === 'console') return `Console /config-v8 (usuário ${e.actor.label})`;
  return `Serviço, sem chamador identificado (${e.actor.label})`;
}

function chainText(chain: ChainCheck): { text: string; cls: string } {
  if (chain.ok)
    return {
      text: `Íntegros: ${chain.entries} registro(s) desta consulta conferidos, nenhum alterado ou apagado.`,
      cls: 'integra',
    };
  const b = chain.broken;
  return {
    text: `VIOLADOS a partir do registro nº ${b?.id}: ${BREAK_TEXT[b?.kind ?? ''] ?? b?.reason}.`,
    cls: 'violada',
  };
}

function row(label: string, value: string): string {
  return `<dt>${escapeHtml(label)}</dt><dd>${value}</dd>`;
}

function entryHtml(e: EvidenceEntry): string {
  const consent = e.consent
    ? `canal ${escapeHtml(e.consent.channel)} · mensagem <code>${escapeHtml(e.consent.messageId)}</code> · aceito em ${escapeHtml(e.consent.acceptedAt)}`
    : 'não informado pelo chamador';
  const v8 = Object.entries(e.v8)
    .map(([k, v]) => `${escapeHtml(k)}: ${escapeHtml(String(v))}`)
    .join(' · ');
  return `<section class="cartao registro">
        <h2>Registro nº ${e.id} · ${escapeHtml(EVENT_TEXT[e.event] ?? e.event)}</h2>
        <dl>
          ${row('Quando', escapeHtml(formatInstant(e.at)))}
          ${row('Quem', escapeHtml(actorText(e)))}
          ${row('De onde (IP)', escapeHtml(e.ip ?? 'não informado'))}
          ${row('Programa (user agent)', escapeHtml(e.userAgent ?? 'não informado'))}
          ${row('Consentimento do trabalhador', consent)}
          ${row('Fluxo CLT', e.flowId ? `<code>${escapeHtml(e.flowId)}</code>` : '—')}
          ${row('Resposta da V8', v8 || '—')}
          ${row('Resumo anterior (SHA-256)', `<code>${escapeHtml(e.prevHash)}</code>`)}
          ${row('Resumo deste registro (SHA-256)', `<code>${escapeHtml(e.hash)}</code>`)}
        </dl>
      </section>`;
}

/**
 * /config-v8/evidencias/:id — a consult's consent evidence as a printable page (pt-BR), rendered on
 * the server (no script needed to print it). Signed-out visitors are sent to the sign-in page.
 */
export function consoleEvidenceRoutes(ctx: ConsoleContext): Router {
  const router = Router();
  let template: string | undefined;
  router.get('/evidencias/:id', (req, res) => {
    if (!sessionOf(req)) {
      res.redirect(303, '/config-v8/');
      return;
    }
    const { id } = parseInput(idParams, req.params, 'id');
    const store = ctx.deps.store;
    const entries = store ? store.evidence.forConsult(id) : [];
    const chain = store ? store.evidence.verifyConsult(id) : { ok: true, entries: 0 };
    const { text, cls } = chainText(chain);
    template ??= readFileSync(`${WEB_DIR}evidencias.html`, 'utf8');
    const page = template
      .replaceAll('{{CLIENT_NAME}}', escapeHtml(ctx.deps.config.clientName))
      .replaceAll('{{PORT}}', String(ctx.port))
      .replaceAll('{{CONSULT_ID}}', escapeHtml(id))
      .replaceAll('{{CPF}}', escapeHtml(formatCpf(entries.find((e) => e.cpf)?.cpf ?? null)))
      .replaceAll('{{CHAIN_CLASS}}', cls)
      .replaceAll('{{CHAIN}}', escapeHtml(text))
      .replaceAll('{{GENERATED_AT}}', escapeHtml(formatInstant(ctx.deps.clock.now())))
      .replaceAll(
        '{{ENTRIES}}',
        entries.length > 0
          ? entries.map(entryHtml).join('\n      ')
          : '<section class="cartao"><p>Nenhuma evidência registrada para esta consulta.</p></section>',
      );
    res
      .status(entries.length > 0 ? 200 : 404)
      .type('html')
      .send(page);
  });
  return router;
}
