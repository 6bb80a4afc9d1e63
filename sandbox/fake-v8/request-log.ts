/** One request as received (admin and /health excluded). Test-only data: secrets are kept. */
export interface LoggedRequest {
  seq: number;
  /** ISO time by the fake clock. */
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** All headers, authorization included. */
  headers: Record<string, string>;
  /** Parsed body: JSON/form object, text, `{multipart:true,bytes}` or undefined. */
  body: unknown;
  /** Token owner (BFF) or the username sent (oauth); null when unknown. */
  account: string | null;
  /** Response status; null while in flight or when a fault dropped the connection. */
  status: number | null;
  durationMs: number | null;
  /** Id of the injected fault that handled it, if any. */
  fault: string | null;
}

export interface RequestFilter {
  method?: string;
  /** Substring of the path. */
  path?: string;
  account?: string;
}

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  add(entry: Omit<LoggedRequest, 'seq' | 'status' | 'durationMs' | 'fault'>): LoggedRequest {
    const full: LoggedRequest = { ...entry, seq: ++this.seq, status: null, durationMs: null, fault: null };
    this.entries.push(full);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    return full;
  }

  list(filter: RequestFilter = {}): LoggedRequest[] {
    return structuredClone(
      this.entries.filter(
        (e) =>
          (!filter.method || e.method === filter.method.toUpperCase()) &&
          (!filter.path || e.path.includes(filter.path)) &&
          (!filter.account || e.account === filter.account),
      ),
    );
  }

  clear(): void {
    this.entries = [];
  }
}
