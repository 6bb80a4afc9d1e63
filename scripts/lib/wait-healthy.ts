import { setTimeout as sleep } from 'node:timers/promises';
import { containerState } from './docker.ts';

export type WaitOutcome = { ok: true; ms: number } | { ok: false; ms: number; state: string; health: string };

export interface HealthProbe {
  readonly host: string;
  readonly port: number;
}

async function answersHealth(probe: HealthProbe): Promise<boolean> {
  try {
    const res = await fetch(`http://${probe.host}:${probe.port}/health`, {
      signal: AbortSignal.timeout(1000),
    });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Waits until the container runs and is healthy: either Docker's healthcheck already says so, or
 * the same probe (GET /health -> 200) answers through the published port. Docker runs its first
 * check only one interval after start, and a short interval costs an exec per client per interval,
 * so we do not wait for Docker's verdict when the service demonstrably answers.
 */
export async function waitHealthy(
  container: string,
  timeoutS: number,
  probe?: HealthProbe,
): Promise<WaitOutcome> {
  const started = Date.now();
  let last = { state: 'absent', health: '-' };
  while (Date.now() - started < timeoutS * 1000) {
    const s = await containerState(container);
    last = { state: s.state, health: s.health };
    if (s.state === 'running' && (s.health === 'healthy' || (probe && (await answersHealth(probe))))) {
      return { ok: true, ms: Date.now() - started };
    }
    if (
      s.state === 'exited' ||
      s.state === 'dead' ||
      (s.state === 'restarting' && Date.now() - started > 3000)
    )
      break;
    await sleep(200);
  }
  return { ok: false, ms: Date.now() - started, ...last };
}
