import { maskUsername } from '../../app/config/mask.ts';
import { listClientPorts, readClientSummary } from '../lib/client-files.ts';
import { containerName, type OpsContext } from '../lib/context.ts';
import { containerState } from '../lib/docker.ts';

function uptime(startedAt: string | undefined, state: string): string {
  if (!startedAt || state !== 'running') return '-';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(startedAt)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** One row per client: port, name, state, health, config file, V8 username (masked), uptime. */
export async function status(ctx: OpsContext, out: (l: string) => void): Promise<void> {
  const ports = listClientPorts(ctx);
  if (ports.length === 0) {
    out('no client yet: make add-client PORT=6000');
    return;
  }
  const rows = await Promise.all(
    ports.map(async (port) => {
      const summary = readClientSummary(ctx, port);
      const st = await containerState(containerName(ctx, port));
      return [
        String(port),
        summary.name,
        st.state,
        st.health,
        `clients/${port}/config.env${summary.error ? ' (INVALID)' : ''}`,
        maskUsername(summary.v8Username) ?? '(not set)',
        uptime(st.startedAt, st.state),
      ];
    }),
  );
  const header = ['PORT', 'NAME', 'STATE', 'HEALTH', 'CONFIG', 'V8 USER', 'UPTIME'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  out(fmt(header));
  for (const r of rows) out(fmt(r));
}
