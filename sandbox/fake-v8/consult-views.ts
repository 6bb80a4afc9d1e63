import type { Consult } from './consults.ts';

/** `private.consignment.consult.updated` payload (§1.13). */
export function consultWebhook(c: Consult, timestamp: string): Record<string, unknown> {
  return {
    type: 'private.consignment.consult.updated',
    consultId: c.id,
    status: c.status,
    availableMarginValue: c.result?.availableMarginValue ?? null,
    description: c.description,
    admissionDateMonthsDifference: c.result?.admissionDateMonthsDifference ?? null,
    simulationLimit: c.result ? { ...c.result.simulationLimit } : null,
    timestamp,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** List item (§1.6.3): camelCase, money as strings. */
export function consultListItem(c: Consult): Record<string, unknown> {
  return {
    id: c.id,
    status: c.status,
    description: c.description,
    availableMarginValue: c.result?.availableMarginValue ?? null,
    documentNumber: c.documentNumber,
    name: c.name,
    birthDate: c.birthDate,
    gender: c.gender,
    phoneNumber: `${c.phone.areaCode}${c.phone.phoneNumber}`,
    partnerId: c.partnerId,
    admissionDateMonthsDifference: c.result?.admissionDateMonthsDifference ?? null,
    simulationLimit: c.result ? { ...c.result.simulationLimit } : null,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

/** Single consult (§1.6.4, RS model): not wrapped; result fields null until known. */
export function consultDetail(c: Consult): Record<string, unknown> {
  const r = c.result;
  return {
    id: c.id,
    status: c.status,
    partnerId: c.partnerId,
    partnerInternalId: null,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
    documentNumber: c.documentNumber,
    name: c.name,
    birthDate: c.birthDate,
    gender: c.gender,
    phoneNumber: `${c.phone.areaCode}${c.phone.phoneNumber}`,
    description: c.description,
    availableMarginValue: r?.availableMarginValue ?? null,
    marginBaseValue: r?.marginBaseValue ?? null,
    consultEligible: r ? r.consultEligible : null,
    admissionDate: r?.admissionDate ?? null,
    terminationDate: null,
    employerDocumentNumber: r?.employerDocumentNumber ?? null,
    employerName: r?.employerName ?? null,
    workerCategoryCode: r?.workerCategoryCode ?? null,
    registrationNumber: r?.registrationNumber ?? null,
    admissionDateMonthsDifference: r?.admissionDateMonthsDifference ?? null,
    simulationLimit: r ? { ...r.simulationLimit } : null,
    recommendedSimulationInstallmentValue: r?.recommendedSimulationInstallmentValue ?? null,
    provider: c.provider,
  };
}
