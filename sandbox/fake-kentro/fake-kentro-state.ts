import { z } from 'zod';
import {
  FAKE_KENTRO_DEMO_LEADS,
  FAKE_KENTRO_FIRST_ID,
  FAKE_KENTRO_NO_WHATSAPP_NUMBER,
  FAKE_KENTRO_OPEN_CHAT_NUMBER,
  FAKE_KENTRO_OTHER_PIPELINE_ID,
  FAKE_KENTRO_OTHER_STAGES,
  FAKE_KENTRO_SAMPLE_LEADS,
  FAKE_KENTRO_TAGS,
  FAKE_KENTRO_TEMPLATES,
  type FakeKentroStageIds,
} from './fake-kentro-seed.ts';

/**
 * The tenant's data and the behaviour of each `/int/<operation>` once authentication passed
 * (reference §2.4–§2.6, checklist §2.10). Answers are `{status, body}`; bodies follow the spec.
 */

export interface FakeAnswer {
  readonly status: number;
  /** undefined = no body (insertOpportunityNote's documented 200). */
  readonly body: unknown;
}

export interface FakeStage {
  id: number;
  name: string;
  fk_pipeline: number;
  description: string;
  intid: string;
  enterautomation: number;
  leaveautomation: number;
  stagnationautomation: number;
  cancreate: 0 | 1;
  canwin: 0 | 1;
  color: string;
  winprobability: number;
  requiredforms: number[];
  stagnationalert: number;
  createdby: number;
}

export interface FakePipeline {
  id: number;
  name: string;
  description: string;
  stageorders: number[];
  maxdaysonpipeline: number;
  winautomation: number;
  loseautomation: number;
  duedateautomation: number;
  frozenautomation: number;
  unfrozenautomation: number;
  automationqueue: number;
  lockoncartvalue: number;
  forms: number[];
  documentstemplates: number[];
  permissions: object[];
  lossreasons: object[];
  groups: number[];
  opportunitiesautomation: number[];
  stages: FakeStage[];
}

export interface FakeNote {
  readonly id: number;
  readonly note: string;
  readonly createdAt: string;
}

export interface FakeStageMove {
  readonly at: string;
  readonly from: number;
  readonly to: number;
}

/** Wire fields of OpportunityObject plus what the fake keeps beside them. */
export interface FakeOpportunity {
  wire: Record<string, unknown>;
  notes: FakeNote[];
  stageHistory: FakeStageMove[];
  products: unknown[];
}

export interface FakeChat {
  readonly chatId: number;
  readonly number: string;
  readonly clientId: string;
  open: boolean;
  readonly openedAt: string;
}

export interface FakeSentTemplate {
  readonly kId: number;
  readonly number: string;
  readonly templateId: number;
  readonly data: readonly string[];
  readonly chatId: number | undefined;
  readonly at: string;
}

export interface FakeQueue {
  readonly id: number;
  readonly name: string;
  readonly key: string;
  enabled: boolean;
}

export interface FakeStateOptions {
  readonly queues: readonly FakeQueue[];
  readonly pipelineId: number;
  readonly stages: FakeKentroStageIds;
  readonly formFields: Readonly<Record<string, string>>;
  readonly seed: boolean;
  readonly now: () => number;
}

const PIPELINE_DEFAULTS = {
  maxdaysonpipeline: 0,
  winautomation: 0,
  loseautomation: 0,
  duedateautomation: 0,
  frozenautomation: 0,
  unfrozenautomation: 0,
  automationqueue: 0,
  lockoncartvalue: 0,
  forms: [1],
  documentstemplates: [],
  permissions: [],
  lossreasons: [],
  groups: [],
  opportunitiesautomation: [],
};

function stage(
  id: number,
  pipeline: number,
  name: string,
  cancreate: 0 | 1,
  winprobability: number,
): FakeStage {
  return {
    id,
    name,
    fk_pipeline: pipeline,
    description: '',
    intid: `stage-${id}`,
    enterautomation: 0,
    leaveautomation: 0,
    stagnationautomation: 0,
    cancreate,
    canwin: 1,
    color: '#607d8b',
    winprobability,
    requiredforms: [],
    stagnationalert: 0,
    createdby: 1,
  };
}

function buildPipelines(pipelineId: number, s: FakeKentroStageIds): FakePipeline[] {
  // Only the entry stage accepts creation (cancreate 1), as on the tenants EVO worked with.
  const clt = [
    stage(s.entry, pipelineId, 'Novo lead', 1, 10),
    stage(s.marginFound, pipelineId, 'Margem encontrada', 0, 40),
    stage(s.noMargin, pipelineId, 'Sem margem', 0, 0),
    stage(s.simulated, pipelineId, 'Simulação pronta', 0, 60),
    stage(s.proposal, pipelineId, 'Proposta criada', 0, 80),
    stage(s.paid, pipelineId, 'Pago', 0, 100),
    stage(s.failed, pipelineId, 'Falha / dados faltando', 0, 0),
    stage(s.needsData, pipelineId, 'Corrigir dados / ação do corretor', 0, 0),
  ];
  const o = FAKE_KENTRO_OTHER_STAGES;
  const other = [
    stage(o.start, FAKE_KENTRO_OTHER_PIPELINE_ID, 'Início', 1, 10),
    stage(o.offer, FAKE_KENTRO_OTHER_PIPELINE_ID, 'Oferta de troco', 0, 50),
    stage(o.typing, FAKE_KENTRO_OTHER_PIPELINE_ID, 'Digitação', 0, 80),
  ];
  return [
    {
      id: pipelineId,
      name: 'CLT - Crédito do Trabalhador',
      description: 'Leads CLT consultados na V8',
      stageorders: clt.map((x) => x.id),
      ...structuredClone(PIPELINE_DEFAULTS),
      stages: clt,
    },
    {
      id: FAKE_KENTRO_OTHER_PIPELINE_ID,
      name: 'Portabilidade',
      description: '',
      stageorders: other.map((x) => x.id),
      ...structuredClone(PIPELINE_DEFAULTS),
      stages: other,
    },
  ];
}

// Request schemas: the spec's required fields and types. `value` stays lenient on purpose: integrators
// send reais floats and the real server's reaction is unknown, so the fake stores what it gets.
const int = z.number().int();
const optInt = int.optional();
const optStr = z.string().optional();
const intArray = z.array(z.number().int()).optional();
const opportunityFields = {
  title: optStr,
  mainphone: optStr,
  mainmail: optStr,
  description: optStr,
  expectedclosedate: optStr,
  formattedlocation: z.string().max(500).optional(),
  postalcode: z.string().max(45).optional(),
  address1: z.string().max(500).optional(),
  address2: z.string().max(500).optional(),
  city: z.string().max(255).optional(),
  state: z.string().max(100).optional(),
  country: z.string().max(100).optional(),
  countrycode: z.string().max(10).optional(),
  lat: z.number().optional(),
  lon: z.number().optional(),
  probability: z.number().int().min(0).max(100).optional(),
  value: z.number().optional(),
  recurrentvalue: z.number().optional(),
  origin: optInt,
  formsdata: z.record(z.string(), z.unknown()).optional(),
  tags: intArray,
  files: intArray,
  contacts: intArray,
  followers: intArray,
  products: z
    .array(z.object({ id: int, qty: z.number().int().positive(), discount: z.number().min(0).optional() }))
    .optional(),
};
const SCHEMAS = {
  getPipeOpportunities: z.object({ pipelineId: int, stageId: optInt }),
  getOpportunity: z.object({ id: int }),
  createOpportunity: z.object({
    ...opportunityFields,
    title: z.string().trim().min(1),
    responsableid: int,
    fkPipeline: optInt,
    fkStage: optInt,
    clientid: optStr,
  }),
  updateOpportunity: z.object({ ...opportunityFields, id: int }),
  removeOpportunity: z.object({ id: int }),
  loseOpportunity: z.object({ id: int, closereason: optStr, closeobs: optStr }),
  winOpportunity: z.object({
    id: int,
    closevalue: z.number().optional(),
    closerecurrentvalue: z.number().optional(),
  }),
  transferOpportunity: z.object({ id: int, newResponsableId: int }),
  changeOpportunityStage: z.object({ id: int, destStageId: int }),
  insertOpportunityNote: z.object({ id: int, note: z.string().min(1) }),
  sendWaTemplate: z.object({
    number: z.string().min(1),
    templateId: int,
    data: z.array(z.string()),
    userId: optInt,
    country: optStr,
    markerId: optInt,
    message: optStr,
    filters: optStr,
    cancelIfAlreadyOpen: z.boolean().optional(),
    openNewChat: z.boolean().optional(),
  }),
  sendMessageToChat: z.object({ chatId: int, text: optStr, fileId: optInt, info: z.boolean().optional() }),
  enqueueMessageToSend: z.object({
    number: optStr,
    clientId: optStr,
    text: optStr,
    fileId: optInt,
    templateId: optInt,
    varsdata: z.array(z.string()).optional(),
  }),
  checkEnqueuedMessage: z.object({ enqueuedId: int }),
  getTags: z.object({}),
  getQueueStatus: z.object({}),
  getAllPipelines: z.object({}),
  getAllQueues: z.object({}),
} as const;

export type FakeOperation = keyof typeof SCHEMAS | 'ping' | 'enableQueue';

/** Permission group of each operation (KSPEC): queue key or global key, global only, own key, none. */
export const OPERATION_GROUP: Record<FakeOperation, 'queue' | 'global' | 'enable' | 'public'> = {
  getPipeOpportunities: 'queue',
  getOpportunity: 'queue',
  createOpportunity: 'queue',
  updateOpportunity: 'queue',
  removeOpportunity: 'queue',
  loseOpportunity: 'queue',
  winOpportunity: 'queue',
  transferOpportunity: 'queue',
  changeOpportunityStage: 'queue',
  insertOpportunityNote: 'queue',
  sendWaTemplate: 'queue',
  sendMessageToChat: 'queue',
  enqueueMessageToSend: 'queue',
  checkEnqueuedMessage: 'queue',
  getTags: 'queue',
  getQueueStatus: 'queue',
  getAllPipelines: 'global',
  getAllQueues: 'global',
  enableQueue: 'enable',
  ping: 'public',
};

// fkPipeline, fkStage, responsableid and clientid are not among them: updateOpportunity ignores them
// (stage via changeOpportunityStage, owner via transferOpportunity).
const UPDATABLE = Object.keys(opportunityFields);

const msg = (status: number, message: string): FakeAnswer => ({ status, body: { message } });
const notFound = () => msg(404, 'Oportunidade não encontrada');

export class FakeKentroState {
  private readonly options: FakeStateOptions;
  queues: FakeQueue[] = [];
  pipelines: FakePipeline[] = [];
  opportunities = new Map<number, FakeOpportunity>();
  chats: FakeChat[] = [];
  sentTemplates: FakeSentTemplate[] = [];
  chatMessages: { kId: number; mId: string; chatId: number; text: string | undefined; at: string }[] = [];
  enqueued: { enqueuedId: number; body: Record<string, unknown>; checks: number }[] = [];
  noWhatsapp = new Set<string>();
  private nextId = FAKE_KENTRO_FIRST_ID;
  private nextNoteId = 1;
  private nextChatId = 9001;
  private nextKId = 777001;
  private nextEnqueuedId = 555001;

  constructor(options: FakeStateOptions) {
    this.options = options;
    this.reset();
  }

  reset(): void {
    const o = this.options;
    this.queues = o.queues.map((q) => ({ ...q }));
    this.pipelines = buildPipelines(o.pipelineId, o.stages);
    this.opportunities = new Map();
    this.chats = [];
    this.sentTemplates = [];
    this.chatMessages = [];
    this.enqueued = [];
    this.noWhatsapp = new Set([FAKE_KENTRO_NO_WHATSAPP_NUMBER]);
    this.nextId = FAKE_KENTRO_FIRST_ID;
    this.nextNoteId = 1;
    this.nextChatId = 9001;
    this.nextKId = 777001;
    this.nextEnqueuedId = 555001;
    this.openChat(FAKE_KENTRO_OPEN_CHAT_NUMBER);
    if (o.seed) this.seedLeads();
  }

  private iso(): string {
    return new Date(this.options.now()).toISOString();
  }

  private unix(): number {
    return Math.floor(this.options.now() / 1000);
  }

  private seedLeads(): void {
    const stages = this.options.stages;
    for (const lead of [...FAKE_KENTRO_SAMPLE_LEADS, ...FAKE_KENTRO_DEMO_LEADS]) {
      const formsdata: Record<string, string> = {};
      for (const [name, value] of Object.entries(lead.fields)) {
        const fieldId = this.options.formFields[name];
        if (fieldId !== undefined) formsdata[fieldId] = value;
      }
      const clt = lead.pipeline === 'clt';
      this.opportunities.set(lead.id, {
        wire: this.newWire(lead.id, {
          title: lead.title,
          mainmail: lead.mainmail,
          mainphone: lead.mainphone,
          clientid: lead.mainphone,
          fkPipeline: clt ? this.options.pipelineId : FAKE_KENTRO_OTHER_PIPELINE_ID,
          fkStage: lead.stage === 'otherStart' ? FAKE_KENTRO_OTHER_STAGES.start : stages[lead.stage],
          status: lead.status,
          formsdata,
          ...(lead.status === 2 ? { closedat: this.iso(), closedby: 1 } : {}),
        }),
        notes: [],
        stageHistory: [],
        products: [],
      });
      this.nextId = Math.max(this.nextId, lead.id + 1);
    }
  }

  private newWire(id: number, fields: Record<string, unknown>): Record<string, unknown> {
    return {
      id,
      clientid: '',
      title: '',
      value: 0,
      recurrentvalue: 0,
      closevalue: 0,
      closerecurrentvalue: 0,
      order: 0,
      origin: 0,
      stagnated: false,
      probability: 0,
      description: '',
      mainphone: '',
      mainmail: '',
      status: 0,
      stagebegintime: this.unix(),
      responsableid: 0,
      followers: [],
      createdby: 0,
      closedby: 0,
      formsdata: {},
      filesCount: 0,
      contactsCount: 0,
      tasksCount: 0,
      files: [],
      contacts: [],
      tags: [],
      fk_campaign: 0,
      createdAt: this.iso(),
      ...fields,
    };
  }

  private openChat(number: string): FakeChat {
    const chat: FakeChat = {
      chatId: this.nextChatId++,
      number,
      clientId: number,
      open: true,
      openedAt: this.iso(),
    };
    this.chats.push(chat);
    return chat;
  }

  findStage(stageId: number): FakeStage | undefined {
    for (const p of this.pipelines) for (const s of p.stages) if (s.id === stageId) return s;
    return undefined;
  }

  queue(id: number): FakeQueue | undefined {
    return this.queues.find((q) => q.id === id);
  }

  /** The opportunity as the API shows it (OpportunityObject). */
  wireOf(o: FakeOpportunity): Record<string, unknown> {
    const w = structuredClone(o.wire);
    w.filesCount = Array.isArray(w.files) ? w.files.length : 0;
    w.contactsCount = Array.isArray(w.contacts) ? w.contacts.length : 0;
    return w;
  }

  snapshot(): Record<string, unknown> {
    return {
      queues: this.queues.map(({ key: _key, ...q }) => q),
      pipelines: structuredClone(this.pipelines),
      opportunities: [...this.opportunities.values()].map((o) => ({
        ...this.wireOf(o),
        notes: structuredClone(o.notes),
        stageHistory: structuredClone(o.stageHistory),
        products: structuredClone(o.products),
      })),
      tags: FAKE_KENTRO_TAGS,
      templates: FAKE_KENTRO_TEMPLATES,
      chats: structuredClone(this.chats),
      sentTemplates: structuredClone(this.sentTemplates),
      chatMessages: structuredClone(this.chatMessages),
      enqueued: structuredClone(this.enqueued),
      noWhatsappNumbers: [...this.noWhatsapp],
    };
  }

  /** Runs an authenticated operation. */
  handle(op: FakeOperation, body: Record<string, unknown>): FakeAnswer {
    if (op === 'ping') return { status: 200, body: { message: 'pong' } };
    if (op === 'enableQueue') return { status: 200, body: { message: 'ok' } };
    const parsed = SCHEMAS[op].safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
        .join('; ');
      return msg(400, `Dados obrigatórios faltando ou inválidos: ${issues}`);
    }
    const b = parsed.data as Record<string, unknown>;
    switch (op) {
      case 'getPipeOpportunities':
        return this.getPipeOpportunities(b.pipelineId as number, b.stageId as number | undefined);
      case 'getOpportunity': {
        const o = this.opportunities.get(b.id as number);
        return o ? { status: 200, body: this.wireOf(o) } : notFound();
      }
      case 'createOpportunity':
        return this.createOpportunity(body);
      case 'updateOpportunity':
        return this.updateOpportunity(body);
      case 'removeOpportunity': {
        const id = b.id as number;
        if (!this.opportunities.delete(id)) return notFound();
        return { status: 200, body: { id } };
      }
      case 'loseOpportunity':
      case 'winOpportunity':
        return this.close(op, b);
      case 'transferOpportunity': {
        const o = this.opportunities.get(b.id as number);
        if (!o) return notFound();
        o.wire.responsableid = b.newResponsableId;
        return { status: 200, body: { id: o.wire.id } };
      }
      case 'changeOpportunityStage':
        return this.changeStage(b.id as number, b.destStageId as number);
      case 'insertOpportunityNote': {
        const o = this.opportunities.get(b.id as number);
        if (!o) return notFound();
        o.notes.push({ id: this.nextNoteId++, note: b.note as string, createdAt: this.iso() });
        return { status: 200, body: undefined };
      }
      case 'sendWaTemplate':
        return this.sendWaTemplate(b);
      case 'sendMessageToChat': {
        const chat = this.chats.find((c) => c.chatId === b.chatId && c.open);
        if (!chat) return msg(404, 'Atendimento não encontrado');
        if (b.text === undefined && b.fileId === undefined) return msg(400, 'text ou fileId é obrigatório');
        const kId = this.nextKId++;
        const mId = `wamid.fake${kId}`;
        this.chatMessages.push({
          kId,
          mId,
          chatId: chat.chatId,
          text: b.text as string | undefined,
          at: this.iso(),
        });
        return { status: 200, body: { mId, kId } };
      }
      case 'enqueueMessageToSend': {
        if (b.number === undefined && b.clientId === undefined)
          return msg(400, 'number ou clientId é obrigatório');
        if (b.text === undefined && b.fileId === undefined && b.templateId === undefined) {
          return msg(400, 'text, fileId ou templateId é obrigatório');
        }
        const enqueuedId = this.nextEnqueuedId++;
        this.enqueued.push({ enqueuedId, body: { ...b }, checks: 0 });
        return { status: 200, body: { enqueuedId } };
      }
      case 'checkEnqueuedMessage': {
        const e = this.enqueued.find((x) => x.enqueuedId === b.enqueuedId);
        if (!e) return msg(404, 'Mensagem não encontrada');
        // Waiting on the first check, sent afterwards.
        const status = e.checks++ === 0 ? 0 : 1;
        return {
          status: 200,
          body: {
            kId: 0,
            mId: '',
            status,
            srvRcvTime: 0,
            clientRcvTime: 0,
            clientReadTime: 0,
            deleted: false,
          },
        };
      }
      case 'getTags':
        return { status: 200, body: FAKE_KENTRO_TAGS };
      case 'getQueueStatus':
        return {
          status: 200,
          body: { name: 'Fila CLT', connected: true, authenticated: true, enabled: true },
        };
      case 'getAllPipelines':
        return { status: 200, body: structuredClone(this.pipelines) };
      case 'getAllQueues':
        return {
          status: 200,
          body: this.queues.map((q) => ({ id: q.id, name: q.name, enabled: q.enabled })),
        };
    }
  }

  private getPipeOpportunities(pipelineId: number, stageId: number | undefined): FakeAnswer {
    if (!this.pipelines.some((p) => p.id === pipelineId))
      return msg(400, `Funil ${pipelineId} não encontrado`);
    const list = [...this.opportunities.values()]
      .filter((o) => o.wire.fkPipeline === pipelineId && o.wire.status === 0)
      .filter((o) => stageId === undefined || o.wire.fkStage === stageId)
      .map((o) => this.wireOf(o));
    return { status: 200, body: list };
  }

  private createOpportunity(body: Record<string, unknown>): FakeAnswer {
    const pipelineId = (body.fkPipeline as number | undefined) ?? this.options.pipelineId;
    const pipeline = this.pipelines.find((p) => p.id === pipelineId);
    if (!pipeline) return msg(400, `Funil ${pipelineId} não encontrado`);
    let stageId = body.fkStage as number | undefined;
    if (stageId === undefined) {
      stageId = pipeline.stageorders.find((id) => pipeline.stages.find((s) => s.id === id)?.cancreate === 1);
      if (stageId === undefined) return msg(400, 'O funil não possui etapa que permita criação');
    }
    const st = pipeline.stages.find((s) => s.id === stageId);
    if (!st) return msg(400, `Etapa ${stageId} não pertence ao funil ${pipelineId}`);
    if (st.cancreate !== 1) return msg(400, `Etapa ${stageId} não permite criar oportunidades`);
    const id = this.nextId++;
    const fields: Record<string, unknown> = {};
    for (const k of [...UPDATABLE, 'responsableid', 'clientid']) {
      if (body[k] !== undefined && k !== 'products') fields[k] = structuredClone(body[k]);
    }
    const order = [...this.opportunities.values()].filter((o) => o.wire.fkStage === stageId).length;
    this.opportunities.set(id, {
      wire: this.newWire(id, { ...fields, fkPipeline: pipelineId, fkStage: stageId, order }),
      notes: [],
      stageHistory: [],
      products: Array.isArray(body.products) ? structuredClone(body.products) : [],
    });
    return { status: 200, body: { id } };
  }

  private updateOpportunity(body: Record<string, unknown>): FakeAnswer {
    const id = body.id as number;
    const o = this.opportunities.get(id);
    if (!o) return notFound();
    for (const k of UPDATABLE) {
      const v = body[k];
      if (v === undefined) continue;
      if (k === 'formsdata') {
        // Merge: keys not sent keep their values (works for clients that send only what changed).
        o.wire.formsdata = {
          ...(o.wire.formsdata as Record<string, unknown>),
          ...structuredClone(v as object),
        };
      } else if (k === 'products') {
        o.products = structuredClone(v as unknown[]);
      } else {
        // Arrays (tags, files, contacts, followers) replace the stored list.
        o.wire[k] = structuredClone(v);
      }
    }
    return { status: 200, body: { id } };
  }

  private changeStage(id: number, destStageId: number): FakeAnswer {
    const o = this.opportunities.get(id);
    if (!o) return notFound();
    const st = this.findStage(destStageId);
    if (!st) return msg(400, `Etapa ${destStageId} não encontrada`);
    if (st.fk_pipeline !== o.wire.fkPipeline) {
      return msg(
        400,
        `Etapa ${destStageId} não pertence ao funil da oportunidade (${String(o.wire.fkPipeline)})`,
      );
    }
    const from = o.wire.fkStage as number;
    if (from !== destStageId) {
      o.wire.fkStage = destStageId;
      o.wire.stagebegintime = this.unix();
      o.stageHistory.push({ at: this.iso(), from, to: destStageId });
    }
    return { status: 200, body: { id } };
  }

  private close(op: 'loseOpportunity' | 'winOpportunity', b: Record<string, unknown>): FakeAnswer {
    const o = this.opportunities.get(b.id as number);
    if (!o) return notFound();
    o.wire.status = op === 'winOpportunity' ? 1 : 2;
    o.wire.closedat = this.iso();
    o.wire.closedby = 0;
    if (op === 'winOpportunity') {
      if (b.closevalue !== undefined) o.wire.closevalue = b.closevalue;
      if (b.closerecurrentvalue !== undefined) o.wire.closerecurrentvalue = b.closerecurrentvalue;
    }
    return { status: 200, body: { id: o.wire.id } };
  }

  private sendWaTemplate(b: Record<string, unknown>): FakeAnswer {
    const template = FAKE_KENTRO_TEMPLATES.find((t) => t.id === b.templateId);
    if (!template) return msg(400, `Template ${String(b.templateId)} não encontrado ou não aprovado`);
    const data = b.data as string[];
    if (data.length !== template.params) {
      return msg(
        400,
        `O template ${template.name} espera ${template.params} variáveis, recebeu ${data.length}`,
      );
    }
    if (data.some((d) => /[\n\t]| {4,}/.test(d))) {
      return msg(400, 'Parâmetro de template com quebra de linha, tabulação ou 4+ espaços (Meta #132018)');
    }
    const number = (b.number as string).replace(/\D/g, '');
    if (number.length < 10) return msg(400, 'Número inválido');
    if (this.noWhatsapp.has(number)) return msg(404, 'O número de telefone informado não possui Whatsapp.');
    let chat = this.chats.find((c) => c.number === number && c.open);
    if (chat && b.cancelIfAlreadyOpen === true) return msg(403, 'Já há um atendimento aberto para o cliente');
    if (!chat && b.openNewChat === true) chat = this.openChat(number);
    const kId = this.nextKId++;
    this.sentTemplates.push({
      kId,
      number,
      templateId: template.id,
      data: [...data],
      chatId: chat?.chatId,
      at: this.iso(),
    });
    return {
      status: 200,
      body: { message: 'Modelo enviado', ...(chat ? { chatId: chat.chatId } : {}), clientId: number, kId },
    };
  }
}
