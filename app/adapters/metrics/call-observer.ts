/**
 * What an outbound adapter reports about each call, so that metrics stay outside the adapters:
 * `operation` names the call ("create consult", "getOpportunity"), `outcome` is the HTTP status or,
 * when no answer came, the error code ("ETIMEDOUT", "ECONNREFUSED").
 */
export interface CallObservation {
  readonly operation: string;
  readonly outcome: string;
  readonly seconds: number;
}

export type CallObserver = (o: CallObservation) => void;
