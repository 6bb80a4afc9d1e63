import type { NewOutboxItem } from '../../adapters/store/outbox-repository.ts';
import { formatBrl, moneyField, simulatedNote } from '../../domain/flow-steps.ts';
import { crmItem, stageItem } from '../outbox/crm-updates.ts';
import { finishFlow } from './finish-flow.ts';
import type { StepHandler } from './flow-step.ts';
import type { ChosenSimulation } from './step-simulation.ts';

/**
 * Queues the Kentro side of a successful simulation and completes the flow, in one transaction:
 * value (released amount; the client sends cents) and form fields, the simulated stage, a note, and
 * the WhatsApp template when asked for. The relay delivers them in this order.
 * Template variables: {{1}} the client's first name, {{2}} the released amount ("R$ 5.412,80").
 */
export const crmStep: StepHandler = async (deps, flow) => {
  const sim = deps.store.flows.steps(flow.id).find((s) => s.name === 'simulation')?.detail?.chosen as
    | ChosenSimulation
    | undefined;
  const opportunityId = flow.opportunityId;
  if (!sim || opportunityId === null)
    throw new Error('flow reached the crm step without a simulation or opportunity');
  const scope = `flow:${flow.id}`;
  const items: (NewOutboxItem | undefined)[] = [
    crmItem(
      scope,
      'update',
      'update',
      opportunityId,
      {
        value: sim.disbursedAmount,
        fields: {
          simulatedAmount: moneyField(sim.disbursedAmount),
          installmentValue: moneyField(sim.installmentValue),
          installments: String(sim.installments),
          availableMargin: moneyField(sim.margin),
          provider: sim.provider,
        },
      },
      flow.id,
    ),
    stageItem(scope, opportunityId, deps.settings.stages, 'simulated', flow.id),
    crmItem(scope, 'note:simulated', 'note', opportunityId, { text: simulatedNote(sim) }, flow.id),
  ];
  const lead = flow.lead;
  const templateId = deps.settings.waTemplateId;
  const wantsWa = flow.options.sendWhatsapp === true;
  if (wantsWa && lead && templateId !== undefined) {
    const firstName = lead.name.split(' ')[0] ?? lead.name;
    items.push(
      crmItem(
        scope,
        'wa_template',
        'wa_template',
        opportunityId,
        {
          number: `${lead.phone.countryCode}${lead.phone.areaCode}${lead.phone.phoneNumber}`,
          templateId,
          params: [firstName, formatBrl(sim.disbursedAmount)],
        },
        flow.id,
      ),
    );
  }
  finishFlow(deps, flow, {
    outcome: 'simulated',
    reason: `simulação concluída: ${formatBrl(sim.disbursedAmount)} em ${sim.installments}x de ${formatBrl(sim.installmentValue)}`,
    stepStatus: 'done',
    detail: {
      queued: items.filter((i) => i !== undefined).map((i) => i.kind),
      stageConfigured: deps.settings.stages.simulated !== undefined,
      whatsapp: wantsWa ? (templateId === undefined ? 'not_configured' : 'queued') : 'not_requested',
    },
    crm: items,
  });
  return { kind: 'stop' };
};
