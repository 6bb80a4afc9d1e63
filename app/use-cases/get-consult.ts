import type { V8Client } from '../adapters/v8/v8-client.ts';
import { type ConsultView, toConsultView } from './consult-view.ts';

export async function getConsult(v8: V8Client, consultId: string): Promise<ConsultView> {
  return toConsultView(await v8.getConsult(consultId));
}
