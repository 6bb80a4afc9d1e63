import type { BankData, V8Client } from '../adapters/v8/v8-client.ts';

export async function updatePaymentData(
  v8: V8Client,
  operationId: string,
  bank: BankData,
): Promise<{ id: string; paymentDataUpdated: true }> {
  await v8.updatePaymentData(operationId, bank);
  return { id: operationId, paymentDataUpdated: true };
}
