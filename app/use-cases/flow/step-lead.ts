import { describeLeadProblems, normalizeLead } from '../../domain/lead.ts';
import { finishFlow } from './finish-flow.ts';
import type { StepHandler } from './flow-step.ts';

/** Validates and normalizes the lead; missing required data ends the flow at the failed stage. */
export const leadStep: StepHandler = async (deps, flow) => {
  const today = new Date(deps.clock.now()).toISOString().slice(0, 10);
  const result = normalizeLead(flow.leadSource ?? {}, {
    cpf: flow.cpf,
    today,
    placeholderEmailDomain: deps.settings.placeholderEmailDomain,
    addMobileNine: deps.settings.addMobileNine,
  });
  if (!result.ok) {
    finishFlow(deps, flow, {
      outcome: 'failed',
      reason: describeLeadProblems(result.problems),
      stepStatus: 'failed',
      detail: { problems: result.problems },
    });
    return { kind: 'stop' };
  }
  const l = result.lead;
  return {
    kind: 'next',
    detail: {
      name: l.name,
      birthDate: l.birthDate,
      emailPlaceholder: l.emailIsPlaceholder,
      genderDefault: l.genderIsDefault,
      phoneAreaCode: l.phone.areaCode,
    },
    patch: { lead: l },
  };
};
