import { setTimeout as sleep } from 'node:timers/promises';
import { containerState } from './docker.ts';

export type WaitOutcome = { ok: true; ms: number } | { ok: false; ms: number; state: string; health: string };

/** Polls Docker's own view (state + healthcheck) until healthy, exited, or the deadline. */
export async function waitHealthy(container: string, timeoutS: number): Promise<WaitOutcome> {
  const started = Date.now();
  let last = { state: 'absent', health: '-' };
  while (Date.now() - started < timeoutS * 1000) {
    const s = await containerState(container);
    last = { state: s.state, health: s.health };
    if (s.state === 'running' && s.health === 'healthy') return { ok: true, ms: Date.now() - started };
    if (
      s.state === 'exited' ||
      s.state === 'dead' ||
      (s.state === 'restarting' && Date.now() - started > 3000)
    )
      break;
    await sleep(250);
  }
  return { ok: false, ms: Date.now() - started, ...last };
}
