import { consultDetail, consultListItem } from './consult-views.ts';
import type { FakeContext } from './context.ts';
import { isValidCpf } from './cpf.ts';
import { isCalendarDate } from './dates.ts';
import {
  asRecord,
  type FakeRequest,
  isRecord,
  json,
  notFound,
  type Reply,
  str,
  validation,
} from './http-util.ts';
import { listWindow } from './list-query.ts';
import type { Router } from './router.ts';

export const PROVIDERS = ['QI', 'CELCOIN'] as const;

/** class-validator style checks of the create body (§1.6.1); returns the messages. */
export function validateConsultBody(b: Record<string, unknown>, checkCpfDigits: boolean): string[] {
  const errors: string[] = [];
  const doc = b.borrowerDocumentNumber;
  if (typeof doc !== 'string') errors.push('borrowerDocumentNumber must be a string');
  else if (!/^\d{11}$/.test(doc)) errors.push('borrowerDocumentNumber must be a string of 11 digits');
  else if (checkCpfDigits && !isValidCpf(doc)) errors.push('borrowerDocumentNumber must be a valid CPF');
  if (b.gender !== 'male' && b.gender !== 'female') {
    errors.push('gender must be one of the following values: male, female');
  }
  if (!isCalendarDate(b.birthDate)) errors.push('birthDate must be a valid date in the format YYYY-MM-DD');
  if (typeof b.signerName !== 'string' || !b.signerName.trim()) errors.push('signerName should not be empty');
  if (typeof b.signerEmail !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(b.signerEmail)) {
    errors.push('signerEmail must be an email');
  }
  if (!isRecord(b.signerPhone)) {
    errors.push('signerPhone must be an object');
  } else {
    const p = b.signerPhone;
    if (typeof p.phoneNumber !== 'string') errors.push('signerPhone.phoneNumber must be a string');
    else if (!/^\d{8,9}$/.test(p.phoneNumber)) errors.push('signerPhone.phoneNumber must have 8 or 9 digits');
    if (typeof p.countryCode !== 'string') errors.push('signerPhone.countryCode must be a string');
    else if (!/^\d{1,3}$/.test(p.countryCode)) errors.push('signerPhone.countryCode must be numeric');
    if (typeof p.areaCode !== 'string') errors.push('signerPhone.areaCode must be a string');
    else if (!/^\d{2}$/.test(p.areaCode)) errors.push('signerPhone.areaCode must have 2 digits');
  }
  if (!(PROVIDERS as readonly unknown[]).includes(b.provider)) {
    errors.push('provider must be one of the following values: QI, CELCOIN');
  }
  if (b.region_code !== undefined && typeof b.region_code !== 'string')
    errors.push('region_code must be a string');
  return errors;
}

function create(req: FakeRequest, ctx: FakeContext): Reply {
  const b = asRecord(req.body);
  const errors = validateConsultBody(b, ctx.config.validateCpf);
  if (errors.length > 0) return validation(errors);
  const account = ctx.accounts.get(req.account ?? '');
  if (!account) return json(401, { message: 'Unauthorized' });
  const phone = asRecord(b.signerPhone);
  const regionCode = str(b.region_code);
  const consult = ctx.consults.create(account, {
    documentNumber: String(b.borrowerDocumentNumber),
    gender: String(b.gender),
    birthDate: String(b.birthDate),
    name: String(b.signerName).trim(),
    email: String(b.signerEmail),
    phone: {
      countryCode: String(phone.countryCode),
      areaCode: String(phone.areaCode),
      phoneNumber: String(phone.phoneNumber),
    },
    provider: String(b.provider),
    ...(regionCode ? { regionCode } : {}),
  });
  return json(201, { id: consult.id });
}

function authorize(req: FakeRequest, ctx: FakeContext): Reply {
  ctx.consults.authorize(req.account ?? '', req.params.id ?? '');
  return ctx.config.authorizeBody === 'text' ? { status: 200, text: 'Successful response' } : { status: 200 };
}

function list(req: FakeRequest, ctx: FakeContext): Reply {
  const q = req.query;
  const w = listWindow(q);
  if ('errors' in w) return validation(w.errors);
  const items = ctx.consults.list(req.account ?? '', {
    ...w.window,
    ...(q.search ? { search: q.search } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.provider ? { provider: q.provider } : {}),
  });
  const start = (w.page - 1) * w.limit;
  return json(200, {
    data: items.slice(start, start + w.limit).map(consultListItem),
    pages: { totalPages: Math.max(1, Math.ceil(items.length / w.limit)) },
  });
}

function getOne(req: FakeRequest, ctx: FakeContext): Reply {
  const mode = ctx.config.consultDetailRoute;
  if (mode === '404') return notFound(req.method, req.path);
  if (mode === '405') return json(405, { message: 'Method Not Allowed', statusCode: 405 });
  const detail = consultDetail(ctx.consults.get(req.account ?? '', req.params.id ?? ''));
  if (mode === 'no-margin') {
    detail.availableMarginValue = null;
    detail.simulationLimit = null;
  }
  return json(200, detail);
}

/** `GET .../client-data/basic/{cpf}` [1: ACB]: prefill data from this account's consults or the scenario. */
function basicClientData(req: FakeRequest, ctx: FakeContext): Reply {
  const cpf = req.params.cpf ?? '';
  if (!/^\d{11}$/.test(cpf)) return validation(['cpf must be a string of 11 digits']);
  const known = ctx.consults.list(req.account ?? '', { search: cpf })[0];
  const s = ctx.scenarios.resolve(cpf);
  return json(200, {
    name: known?.name ?? s.name ?? `TRABALHADOR TESTE ${cpf.slice(-4)}`,
    email: known?.email ?? s.email ?? `${cpf}@example.com`,
    birthDate: s.birthDate ?? known?.birthDate ?? '1990-01-01',
  });
}

export function consultRoutes(router: Router, ctx: FakeContext): void {
  const base = '/private-consignment/consult';
  router
    .add('POST', base, (r) => create(r, ctx))
    .add('GET', base, (r) => list(r, ctx))
    .add('GET', `${base}/client-data/basic/:cpf`, (r) => basicClientData(r, ctx))
    .add('POST', `${base}/:id/authorize`, (r) => authorize(r, ctx))
    .add('GET', `${base}/:id`, (r) => getOne(r, ctx));
}
