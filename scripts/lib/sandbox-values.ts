import { randomBytes } from 'node:crypto';
import {
  FAKE_KENTRO_FORM_FIELDS_JSON,
  FAKE_KENTRO_PIPELINE_ID,
  FAKE_KENTRO_QUEUE_ID,
  FAKE_KENTRO_STAGES,
  FAKE_KENTRO_TEMPLATE_ID,
} from '../../sandbox/fake-kentro/fake-kentro-seed.ts';

/**
 * A sandbox client talks to its own fake V8 and fake Kentro (same Compose project, same private
 * network). Credentials are random per client, so even sandboxes share nothing.
 */
export interface SandboxValues {
  /** Keys for clients/<PORT>/config.env. */
  readonly config: Record<string, string>;
  /** Keys for clients/<PORT>/sandbox.env, read only by the fake servers. */
  readonly fakes: Record<string, string>;
}

const rnd = (bytes = 18) => randomBytes(bytes).toString('base64url');

export function sandboxValues(port: number): SandboxValues {
  const username = `sandbox-${port}@corban.example`;
  const password = rnd();
  const clientId = `sandboxclient${port}${randomBytes(6).toString('hex')}`;
  const kentroKey = rnd(24);
  const queueId = String(FAKE_KENTRO_QUEUE_ID);
  return {
    config: {
      V8_AUTH_URL: 'http://fake-v8:8080/oauth/token',
      V8_BASE_URL: 'http://fake-v8:8080',
      V8_AUDIENCE: 'https://bff.v8sistema.com',
      V8_CLIENT_ID: clientId,
      V8_USERNAME: username,
      V8_PASSWORD: password,
      PUBLIC_BASE_URL: `http://api:${port}`,
      KENTRO_BASE_URL: 'http://fake-kentro:8080',
      KENTRO_API_KEY: kentroKey,
      KENTRO_QUEUE_ID: queueId,
      KENTRO_PIPELINE_ID: String(FAKE_KENTRO_PIPELINE_ID),
      KENTRO_RESPONSIBLE_ID: '1',
      KENTRO_STAGE_MARGIN_FOUND: String(FAKE_KENTRO_STAGES.marginFound),
      KENTRO_STAGE_NO_MARGIN: String(FAKE_KENTRO_STAGES.noMargin),
      KENTRO_STAGE_SIMULATED: String(FAKE_KENTRO_STAGES.simulated),
      KENTRO_STAGE_PROPOSAL: String(FAKE_KENTRO_STAGES.proposal),
      KENTRO_STAGE_PAID: String(FAKE_KENTRO_STAGES.paid),
      KENTRO_STAGE_FAILED: String(FAKE_KENTRO_STAGES.failed),
      KENTRO_STAGE_NEEDS_DATA: String(FAKE_KENTRO_STAGES.needsData),
      KENTRO_FORM_FIELDS: FAKE_KENTRO_FORM_FIELDS_JSON,
      KENTRO_WA_TEMPLATE_ID: String(FAKE_KENTRO_TEMPLATE_ID),
      // The fake V8 answers in seconds: poll early so a demo never waits on the production default.
      FLOW_POLL_FIRST_MS: '3000',
      FLOW_POLL_MAX_MS: '10000',
      // A local demo: its console is reached over plain HTTP through the published port.
      CONSOLE_ALLOW_INSECURE_HTTP: 'true',
    },
    fakes: {
      FAKE_V8_ACCOUNTS: `${username}:${password}:${clientId}`,
      FAKE_V8_CLIENT_ID: clientId,
      FAKE_V8_AUDIENCE: 'https://bff.v8sistema.com',
      // The fake is not published to the host: its formalization links must name it as the client
      // container sees it (the fake's default, localhost:8080, points nowhere).
      FAKE_V8_PUBLIC_URL: 'http://fake-v8:8080',
      FAKE_KENTRO_QUEUE_ID: queueId,
      FAKE_KENTRO_API_KEY: kentroKey,
      FAKE_KENTRO_FORM_FIELDS: FAKE_KENTRO_FORM_FIELDS_JSON,
    },
  };
}
