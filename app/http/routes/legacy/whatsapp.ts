import { Router } from 'express';
import { requireFlowDeps } from '../../../use-cases/flow/flow-deps.ts';
import { sendSimulationWhatsapp } from '../../../use-cases/legacy/send-simulation-whatsapp.ts';
import type { AppDeps } from '../../app-deps.ts';
import { ok, oldError } from './envelope.ts';
import { parseLegacy, whatsappInput } from './schemas.ts';

/**
 * POST /clt/mensagem-whatsapp {cpf, reenviar?, aguardar_s?} (old: README only, its code is not
 * public): KENTRO_WA_TEMPLATE_ID with the newest simulation through the CRM outbox, once per
 * simulation unless reenviar. Delivered -> 200; still queued -> 202; Kentro refused -> 502;
 * parked because Kentro did not confirm (it may have been sent) -> 502 "incerta": never resent by
 * itself, an operator checks Kentro and retries or drops it (console, /api/v1/outbox).
 */

export interface LegacyWhatsappOptions {
  /** How long the route waits for the delivery when aguardar_s is absent (ms). */
  readonly whatsappWaitMs?: number;
}

const DEFAULT_WA_WAIT_MS = 5000;
const STATUS_PT = { delivered: 'enviada', parked: 'recusada', dropped: 'descartada' } as Record<
  string,
  string
>;

export function whatsappRoutes(deps: AppDeps, o: LegacyWhatsappOptions = {}): Router {
  const router = Router();
  router.post('/clt/mensagem-whatsapp', async (req, res) => {
    const b = parseLegacy(whatsappInput, req.body);
    const r = await sendSimulationWhatsapp(requireFlowDeps(deps.flow), {
      cpf: b.cpf,
      resend: b.reenviar,
      waitMs: b.aguardar_s !== undefined ? b.aguardar_s * 1000 : (o.whatsappWaitMs ?? DEFAULT_WA_WAIT_MS),
    });
    const uncertain = r.outbox.status === 'parked' && r.outbox.parkReason !== 'refused';
    const resultado = {
      cpf: b.cpf,
      status: uncertain ? 'incerta' : (STATUS_PT[r.outbox.status] ?? 'na fila'),
      ja_enfileirada: !r.queued,
      outbox_id: r.outbox.id,
      tentativas: r.outbox.attempts,
      template_id: r.templateId,
      parametros: r.params,
      oportunidade_id: r.opportunityId,
      simulacao_id: r.simulationId,
      erro: r.outbox.lastError,
    };
    if (r.outbox.status === 'parked' || r.outbox.status === 'dropped') {
      // 502 with the row still described: the caller (or an operator) needs its status and outbox id.
      throw oldError(
        'upstream_error',
        uncertain
          ? `O Kentro não confirmou o envio e a mensagem pode ter chegado ao cliente; ela não é reenviada sozinha: confira no Kentro e use "Pendências do CRM" no console (${r.outbox.lastError ?? 'sem resposta'})`
          : r.outbox.status === 'dropped'
            ? 'A mensagem desta simulação foi descartada por um operador (envie reenviar: true para mandar de novo)'
            : `O Kentro recusou a mensagem: ${r.outbox.lastError ?? 'erro desconhecido'}`,
        { erro: r.outbox.lastError ?? 'erro desconhecido', resultado },
      );
    }
    const delivered = r.outbox.status === 'delivered';
    const message = delivered
      ? r.queued
        ? 'Mensagem enviada'
        : 'Mensagem já enviada para esta simulação (envie reenviar: true para mandar de novo)'
      : 'Mensagem na fila: o Kentro não respondeu ainda, o envio é repetido automaticamente';
    ok(res, message, { resultado }, delivered ? 200 : 202);
  });
  return router;
}
