export interface FakeV8Stats {
  /** POST /oauth/token calls by the `username` sent (failed ones too; '' when missing). */
  tokenRequests: Record<string, number>;
  /** Tokens actually issued per account. */
  tokensIssued: Record<string, number>;
  /** BFF requests per account (token owner), whatever their outcome. */
  requests: Record<string, number>;
  /** Highest number of BFF requests seen in any sliding 1 s window, per account. */
  maxRequestsPerSecond: Record<string, number>;
  /** 429s sent by the rate limiter / hourly quota, per account. */
  rateLimited: Record<string, number>;
  /** Consult creations refused by the consult quota (429), per account: a subset of rateLimited. */
  quotaRefused: Record<string, number>;
  /** Every 429 sent (rate limiter, quota and injected faults). */
  sent429: number;
  /** Requests answered (or delayed / reset) by an injected fault. */
  faultsInjected: number;
  /** Webhook attempts answered 2xx / not (non-2xx, timeout, network error). */
  webhooksDelivered: number;
  webhooksFailed: number;
}

const bump = (map: Record<string, number>, key: string, by = 1) => {
  map[key] = (map[key] ?? 0) + by;
};

export class Stats {
  private s: FakeV8Stats = Stats.empty();

  static empty(): FakeV8Stats {
    return {
      tokenRequests: {},
      tokensIssued: {},
      requests: {},
      maxRequestsPerSecond: {},
      rateLimited: {},
      quotaRefused: {},
      sent429: 0,
      faultsInjected: 0,
      webhooksDelivered: 0,
      webhooksFailed: 0,
    };
  }

  countTokenRequest(username: string): void {
    bump(this.s.tokenRequests, username);
  }

  countTokenIssued(username: string): void {
    bump(this.s.tokensIssued, username);
  }

  /** One BFF request by `account` that makes `rate` requests in the current 1 s window. */
  observeRequest(account: string, rate: number): void {
    bump(this.s.requests, account);
    if (rate > (this.s.maxRequestsPerSecond[account] ?? 0)) this.s.maxRequestsPerSecond[account] = rate;
  }

  countRateLimited(account: string): void {
    bump(this.s.rateLimited, account);
  }

  countQuotaRefused(account: string): void {
    bump(this.s.quotaRefused, account);
  }

  count429(): void {
    this.s.sent429++;
  }

  countFault(): void {
    this.s.faultsInjected++;
  }

  countWebhook(ok: boolean): void {
    if (ok) this.s.webhooksDelivered++;
    else this.s.webhooksFailed++;
  }

  snapshot(): FakeV8Stats {
    return structuredClone(this.s);
  }

  reset(): void {
    this.s = Stats.empty();
  }
}
