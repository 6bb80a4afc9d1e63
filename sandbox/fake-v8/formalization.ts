import type { FakeContext } from './context.ts';
import type { FakeRequest, Reply } from './http-util.ts';
import type { Router } from './router.ts';

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const page = (title: string, body: string): Reply => ({
  status: 200,
  text: `<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`,
  headers: { 'content-type': 'text/html; charset=utf-8' },
});

const notFoundPage = (): Reply => ({
  ...page('Link inválido', '<h1>Link de formalização inválido</h1>'),
  status: 404,
});

/** The borrower's signing page behind `formalization_url` (no auth, like a public link). */
function show(req: FakeRequest, ctx: FakeContext): Reply {
  const op = ctx.operations.byToken(req.params.token ?? '');
  if (!op) return notFoundPage();
  const form =
    op.status === 'formalization'
      ? `<form method="post" action="/formalizacao/${escapeHtml(op.formalizationToken)}/assinar"><button>Assinar</button></form>`
      : '';
  return page(
    'Formalização (fake V8)',
    `<h1>Formalização — ambiente de testes</h1><p>Proposta ${escapeHtml(op.contractNumber)} de ${escapeHtml(op.name)}</p><p>Status: <b>${escapeHtml(op.status)}</b></p>${form}`,
  );
}

function sign(req: FakeRequest, ctx: FakeContext): Reply {
  const op = ctx.operations.sign(req.params.token ?? '');
  if (!op) return notFoundPage();
  return page('Assinado', `<h1>Contrato assinado</h1><p>Status: <b>${escapeHtml(op.status)}</b></p>`);
}

export function formalizationRoutes(router: Router, ctx: FakeContext): void {
  router
    .add('GET', '/formalizacao/:token', (r) => show(r, ctx))
    .add('POST', '/formalizacao/:token/assinar', (r) => sign(r, ctx));
}
