import { randomBytes } from 'node:crypto';

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
  const queueId = '25';
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
      KENTRO_PIPELINE_ID: '4',
      KENTRO_RESPONSIBLE_ID: '1',
      KENTRO_STAGE_MARGIN_FOUND: '20',
      KENTRO_STAGE_NO_MARGIN: '22',
      KENTRO_STAGE_SIMULATED: '21',
      KENTRO_STAGE_PROPOSAL: '23',
      KENTRO_STAGE_PAID: '24',
      KENTRO_STAGE_FAILED: '25',
      KENTRO_FORM_FIELDS: JSON.stringify({
        cpf: '98011220',
        birthDate: '0bfc6250',
        email: '9e7f92b0',
        motherName: '917456f0',
        phone: '98167d80',
        simulatedAmount: '9d947420',
        installmentValue: '5fc51220',
        installments: '79562580',
      }),
    },
    fakes: {
      FAKE_V8_ACCOUNTS: `${username}:${password}:${clientId}`,
      FAKE_V8_CLIENT_ID: clientId,
      FAKE_V8_AUDIENCE: 'https://bff.v8sistema.com',
      FAKE_KENTRO_QUEUE_ID: queueId,
      FAKE_KENTRO_API_KEY: kentroKey,
    },
  };
}
