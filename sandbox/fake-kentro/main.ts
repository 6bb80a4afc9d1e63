import { startFakeKentro } from './fake-kentro-server.ts';

/**
 * Container entry of the fake Kentro (compose `sandbox` profile): `node dist/sandbox/fake-kentro/main.js`.
 * Env: FAKE_KENTRO_PORT (8080), FAKE_KENTRO_HOST (0.0.0.0), FAKE_KENTRO_QUEUE_ID, FAKE_KENTRO_API_KEY,
 * FAKE_KENTRO_GLOBAL_KEY, FAKE_KENTRO_PIPELINE_ID, FAKE_KENTRO_STAGE_<ENTRY|MARGIN_FOUND|NO_MARGIN|
 * SIMULATED|PROPOSAL|PAID|FAILED>, FAKE_KENTRO_FORM_FIELDS (JSON, same shape as KENTRO_FORM_FIELDS),
 * FAKE_KENTRO_SEED (true).
 */

function int(name: string): number | undefined {
  const v = process.env[name]?.trim();
  if (!v) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a positive integer`);
  return Number(v);
}

function line(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);
}

const STAGE_ENV = {
  entry: 'FAKE_KENTRO_STAGE_ENTRY',
  marginFound: 'FAKE_KENTRO_STAGE_MARGIN_FOUND',
  noMargin: 'FAKE_KENTRO_STAGE_NO_MARGIN',
  simulated: 'FAKE_KENTRO_STAGE_SIMULATED',
  proposal: 'FAKE_KENTRO_STAGE_PROPOSAL',
  paid: 'FAKE_KENTRO_STAGE_PAID',
  failed: 'FAKE_KENTRO_STAGE_FAILED',
  needsData: 'FAKE_KENTRO_STAGE_NEEDS_DATA',
} as const;

async function main(): Promise<void> {
  const stages: Partial<Record<keyof typeof STAGE_ENV, number>> = {};
  for (const [name, env] of Object.entries(STAGE_ENV) as [keyof typeof STAGE_ENV, string][]) {
    const v = int(env);
    if (v !== undefined) stages[name] = v;
  }
  const formFieldsRaw = process.env.FAKE_KENTRO_FORM_FIELDS?.trim();
  const handle = await startFakeKentro({
    port: int('FAKE_KENTRO_PORT') ?? 8080,
    host: process.env.FAKE_KENTRO_HOST?.trim() || '0.0.0.0',
    ...(int('FAKE_KENTRO_QUEUE_ID') === undefined ? {} : { queueId: int('FAKE_KENTRO_QUEUE_ID') }),
    ...(process.env.FAKE_KENTRO_API_KEY ? { apiKey: process.env.FAKE_KENTRO_API_KEY } : {}),
    ...(process.env.FAKE_KENTRO_GLOBAL_KEY ? { globalKey: process.env.FAKE_KENTRO_GLOBAL_KEY } : {}),
    ...(int('FAKE_KENTRO_PIPELINE_ID') === undefined ? {} : { pipelineId: int('FAKE_KENTRO_PIPELINE_ID') }),
    stages,
    ...(formFieldsRaw ? { formFields: JSON.parse(formFieldsRaw) as Record<string, string> } : {}),
    seed: process.env.FAKE_KENTRO_SEED !== 'false',
    // The entry carries no body: the apiKey never reaches stdout.
    onRequest: (entry) => line({ level: 'info', message: 'request', ...entry }),
  });
  line({
    level: 'info',
    message: 'fake kentro listening',
    port: handle.port,
    queueId: handle.queueId,
    pipelineId: handle.pipelineId,
    stages: handle.stages,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    line({ level: 'info', message: 'stopping', signal });
    void handle.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  line({
    level: 'error',
    message: 'fake kentro failed to start',
    error: err instanceof Error ? err.message : String(err),
  });
  process.exit(1);
});
