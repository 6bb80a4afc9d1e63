/**
 * Seed data of the fake Kentro: one tenant with an enabled queue, a disabled queue, the CLT pipeline
 * (stages for each KENTRO_STAGE_* setting), a second pipeline, tags, templates and sample leads that
 * follow the conventions of reference §2.8 (CPF in `mainmail`, name in `title`, 55+DDD phone,
 * DD/MM/YYYY dates in `formsdata`). Every CPF is checksum-valid and invented.
 */

export const FAKE_KENTRO_QUEUE_ID = 25;
/** 32 lowercase hex characters, like real queue keys. */
export const FAKE_KENTRO_API_KEY = 'fa4e000000000000000000000000a025';
export const FAKE_KENTRO_GLOBAL_KEY = 'fa4e0000000000000000000000910ba1';
export const FAKE_KENTRO_DISABLED_QUEUE_ID = 27;
export const FAKE_KENTRO_DISABLED_QUEUE_KEY = 'fa4e000000000000000000000000a027';

export const FAKE_KENTRO_PIPELINE_ID = 4;
/** Stage ids of the CLT pipeline, by the KENTRO_STAGE_* setting they stand for (plus the entry stage). */
export const FAKE_KENTRO_STAGES = {
  entry: 20,
  marginFound: 21,
  noMargin: 22,
  simulated: 23,
  proposal: 24,
  paid: 25,
  failed: 26,
  needsData: 28,
} as const;
export type FakeKentroStageName = keyof typeof FAKE_KENTRO_STAGES;
export type FakeKentroStageIds = Record<FakeKentroStageName, number>;

/** A second pipeline (portability), to prove stage moves cannot cross pipelines. */
export const FAKE_KENTRO_OTHER_PIPELINE_ID = 2;
export const FAKE_KENTRO_OTHER_STAGES = { start: 8, offer: 9, typing: 10 } as const;

/** Form-field ids by our field names (KENTRO_FORM_FIELDS); the first ids are the ones of reference §2.8. */
export const FAKE_KENTRO_FORM_FIELDS = {
  cpf: '98011220',
  birthDate: '0bfc6250',
  email: '9e7f92b0',
  motherName: '917456f0',
  phone: '98167d80',
  rg: '6a93f650',
  cep: '1836e090',
  street: '1dbfcef0',
  houseNumber: '6ac31450',
  neighborhood: '3271f710',
  city: '25178280',
  state: 'f6384400',
  provider: '80b68ec0',
  pixKey: 'c1a0a006',
  availableMargin: 'c1a0a001',
  simulatedAmount: 'c1a0a002',
  installmentValue: 'c1a0a003',
  installments: 'c1a0a004',
  formalizationUrl: 'c1a0a005',
} as const;
export type FakeKentroFieldName = keyof typeof FAKE_KENTRO_FORM_FIELDS;
/** The same map as the KENTRO_FORM_FIELDS config value. */
export const FAKE_KENTRO_FORM_FIELDS_JSON = JSON.stringify(FAKE_KENTRO_FORM_FIELDS);

export const FAKE_KENTRO_TAGS = [
  { id: 6, name: 'CLT aprovado', bgcolor: '#2e7d32', fgcolor: '#ffffff' },
  { id: 7, name: 'Sem margem', bgcolor: '#c62828', fgcolor: '#ffffff' },
] as const;

/** Approved WhatsApp templates; `params` = number of {{n}} variables. */
export const FAKE_KENTRO_TEMPLATES = [
  { id: 101, name: 'clt_simulacao_pronta', params: 2 },
  { id: 102, name: 'clt_boas_vindas', params: 1 },
  { id: 103, name: 'clt_link_assinatura', params: 4 },
] as const;
export const FAKE_KENTRO_TEMPLATE_ID = 101;
/** The signing-link template (first name, released amount, instalments, link). */
export const FAKE_KENTRO_FORMALIZATION_TEMPLATE_ID = 103;

/** sendWaTemplate answers 404 for this number (no WhatsApp account). */
export const FAKE_KENTRO_NO_WHATSAPP_NUMBER = '5511900000000';
/** This number already has an open chat: cancelIfAlreadyOpen answers 403. */
export const FAKE_KENTRO_OPEN_CHAT_NUMBER = '5511955554444';

/** Sample CPFs by role. */
export const FAKE_KENTRO_CPFS = {
  /** Full data; CPF unformatted in mainmail and in the cpf form field. */
  maria: '12345678909',
  /** Full data; CPF stored formatted ("111.444.777-35"). */
  joao: '11144477735',
  /** Birth date missing (the form field holds the string "null"). */
  ana: '52998224725',
  /** mainmail is "null": found only by the cpf form field (KENTRO_LOOKUP=formfield). */
  carlos: '39053344705',
  /** Lost opportunity: getPipeOpportunities does not list it. */
  lost: '98765432100',
  /** Lives in the other pipeline. */
  otherPipeline: '42879615011',
  /**
   * Demo leads for `make sandbox`: their CPFs are in the fake V8's scenario table
   * (sandbox/fake-v8/scenarios.ts), so the whole flow shows an approval and a refusal.
   */
  demoApproved: '12345678062',
  demoApproved2: '23456789173',
  demoRejected: '11122233639',
  /** Not in Kentro: for creation tests (one with a leading zero). */
  new1: '03581264951',
  new2: '76301425871',
} as const;

export interface FakeKentroSampleLead {
  readonly id: number;
  readonly cpf: string;
  readonly title: string;
  readonly mainmail: string;
  readonly mainphone: string;
  readonly pipeline: 'clt' | 'other';
  readonly stage: FakeKentroStageName | 'otherStart';
  readonly status: 0 | 1 | 2;
  readonly fields: Partial<Record<FakeKentroFieldName, string>>;
}

export const FAKE_KENTRO_FIRST_ID = 40101;

export const FAKE_KENTRO_SAMPLE_LEADS: readonly FakeKentroSampleLead[] = [
  {
    id: 40101,
    cpf: FAKE_KENTRO_CPFS.maria,
    title: 'MARIA TESTE DA SILVA',
    mainmail: '12345678909',
    mainphone: '5511912345678',
    pipeline: 'clt',
    stage: 'entry',
    status: 0,
    fields: {
      cpf: '12345678909',
      birthDate: '15/04/1990',
      email: 'maria.teste@example.com',
      phone: '5511912345678',
      motherName: 'JOANA TESTE DA SILVA',
      cep: '01000000',
      city: 'SAO PAULO',
      state: 'SP',
    },
  },
  {
    id: 40102,
    cpf: FAKE_KENTRO_CPFS.joao,
    title: 'JOAO TESTE PEREIRA',
    mainmail: '111.444.777-35',
    mainphone: '5521987654321',
    pipeline: 'clt',
    stage: 'entry',
    status: 0,
    fields: {
      cpf: '111.444.777-35',
      birthDate: '03/11/1985',
      email: 'joao.teste@example.com',
      phone: '5521987654321',
      motherName: 'MARTA TESTE PEREIRA',
      city: 'RIO DE JANEIRO',
      state: 'RJ',
    },
  },
  {
    id: 40103,
    cpf: FAKE_KENTRO_CPFS.ana,
    title: 'ANA TESTE SOUZA',
    mainmail: '52998224725',
    mainphone: '5531991112222',
    pipeline: 'clt',
    stage: 'entry',
    status: 0,
    fields: {
      cpf: '52998224725',
      birthDate: 'null',
      email: 'ana.teste@example.com',
      phone: '5531991112222',
      motherName: 'LUCIA TESTE SOUZA',
    },
  },
  {
    id: 40104,
    cpf: FAKE_KENTRO_CPFS.carlos,
    title: 'CARLOS TESTE LIMA',
    mainmail: 'null',
    mainphone: '5541993334444',
    pipeline: 'clt',
    stage: 'entry',
    status: 0,
    fields: {
      cpf: '390.533.447-05',
      birthDate: '22/07/1979',
      email: 'carlos.teste@example.com',
      phone: '5541993334444',
      motherName: 'ROSA TESTE LIMA',
    },
  },
  {
    id: 40105,
    cpf: FAKE_KENTRO_CPFS.lost,
    title: 'PEDRO TESTE PERDIDO',
    mainmail: '98765432100',
    mainphone: '5551995556666',
    pipeline: 'clt',
    stage: 'noMargin',
    status: 2,
    fields: { cpf: '98765432100', birthDate: '01/01/1970' },
  },
  {
    id: 40106,
    cpf: FAKE_KENTRO_CPFS.otherPipeline,
    title: 'BEATRIZ TESTE PORTABILIDADE',
    mainmail: '42879615011',
    mainphone: '5561997778888',
    pipeline: 'other',
    stage: 'otherStart',
    status: 0,
    fields: { cpf: '42879615011', birthDate: '09/09/1992' },
  },
];

const demoLead = (
  id: number,
  cpf: string,
  title: string,
  birthDate: string,
  phone: string,
): FakeKentroSampleLead => ({
  id,
  cpf,
  title,
  mainmail: cpf,
  mainphone: phone,
  pipeline: 'clt',
  stage: 'entry',
  status: 0,
  fields: {
    cpf,
    birthDate,
    email: `${title.split(' ')[0]?.toLowerCase()}.demo@example.com`,
    phone,
    motherName: 'MAE DEMO',
  },
});

/** Appended after the reference leads so their ids stay stable. */
export const FAKE_KENTRO_DEMO_LEADS: readonly FakeKentroSampleLead[] = [
  demoLead(40107, FAKE_KENTRO_CPFS.demoApproved, 'LUCAS DEMO APROVADO', '10/02/1988', '5511934567890'),
  demoLead(40108, FAKE_KENTRO_CPFS.demoApproved2, 'FERNANDA DEMO APROVADA', '21/08/1991', '5511945678901'),
  demoLead(40109, FAKE_KENTRO_CPFS.demoRejected, 'ROBERTO DEMO RECUSADO', '05/05/1975', '5511956789012'),
];
