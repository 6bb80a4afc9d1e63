import { maskUsername } from '../../app/config/mask.ts';
import { listClientPorts, readClientSummary } from '../lib/client-files.ts';
import { containerName, healthProbe, type OpsContext } from '../lib/context.ts';
import { containerState } from '../lib/docker.ts';

function uptime(startedAt: string | undefined, state: string): string {
  if (!startedAt || state !== 'running') return '-';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(startedAt)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** A few of the client's own /metrics: flows running, CRM outbox pending/parked, V8 429s. */
async function liveFigures(ctx: OpsContext, port: number, token: string | undefined): Promise<string[]> {
  const none = ['-', '-', '-'];
  if (!token) return none;
  const probe = healthProbe(ctx, port);
  try {
    const res = await fetch(`http://${probe.host}:${probe.port}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
    });
    if (res.status !== 200) return none;
    const text = await res.text();
    const value = (name: string, label = '') => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
      return line ? String(Number(line.slice(line.lastIndexOf(' ') + 1))) : '0';
    };
    return [
      value('cltv8_flows', 'outcome="running"'),
      `${value('cltv8_outbox_rows', 'status="pending"')}/${value('cltv8_outbox_rows', 'status="parked"')}`,
      value('cltv8_v8_rate_limited_total'),
    ];
  } catch {
    return none;
  }
}

/** One row per client: port, name, state, health, config file, V8 username (masked), uptime, live figures. */
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
      const live =
        st.state === 'running' ? await liveFigures(ctx, port, summary.metricsToken) : ['-', '-', '-'];
      return [
        String(port),
        summary.name,
        st.state,
        st.health,
        `clients/${port}/config.env${summary.error ? ' (INVALID)' : ''}`,
        maskUsername(summary.v8Username) ?? '(not set)',
        uptime(st.startedAt, st.state),
        ...live,
      ];
    }),
  );
  const header = [
    'PORT',
    'NAME',
    'STATE',
    'HEALTH',
    'CONFIG',
    'V8 USER',
    'UPTIME',
    'FLOWS RUNNING',
    'OUTBOX PENDING/PARKED',
    'V8 429',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  out(fmt(header));
  for (const r of rows) out(fmt(r));
}
