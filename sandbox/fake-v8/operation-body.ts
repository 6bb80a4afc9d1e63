import { isCalendarDate } from './dates.ts';
import { asRecord, isRecord } from './http-util.ts';

export interface OperationBody {
  shape: 'majority' | 'flat';
  simulationId?: string;
  consultId?: string;
  provider?: string;
  cpf: string;
  name: string;
  borrower: Record<string, unknown>;
  bank: Record<string, unknown>;
}

const PIX_KEY_TYPES = ['cpf', 'email', 'phone', 'random'];
const isText = (v: unknown) => typeof v === 'string' && v.trim() !== '';
const isTextOrNumber = (v: unknown) => isText(v) || typeof v === 'number';

/** PIX or TED bank data (operation create and payment-data pendency). */
export function validateBank(bank: unknown, prefix: string, lenient = false): string[] {
  if (!isRecord(bank)) return [`${prefix} must be an object`];
  const method = bank.transfer_method ?? (lenient && bank.pix_key !== undefined ? 'pix' : undefined);
  if (method === 'pix') {
    const errors: string[] = [];
    if (!isText(bank.pix_key)) errors.push(`${prefix}.pix_key must be a string`);
    if (!PIX_KEY_TYPES.includes(String(bank.pix_key_type))) {
      errors.push(`${prefix}.pix_key_type must be one of the following values: ${PIX_KEY_TYPES.join(', ')}`);
    }
    return errors;
  }
  if (method === 'ted') {
    const errors: string[] = [];
    if (!isTextOrNumber(bank.bank_code) && !isTextOrNumber(bank.bank_id)) {
      errors.push(`${prefix}.bank_code or ${prefix}.bank_id is required`);
    }
    for (const f of ['branch_number', 'account_number', 'account_digit']) {
      if (!isTextOrNumber(bank[f])) errors.push(`${prefix}.${f} must be a string`);
    }
    return errors;
  }
  return [`${prefix}.transfer_method must be one of the following values: pix, ted`];
}

/** The majority shape (§1.10): `{simulation_id, provider, borrower{..., address, bank}}`. */
function majority(b: Record<string, unknown>): OperationBody | string[] {
  const errors: string[] = [];
  const br = asRecord(b.borrower);
  if (!isRecord(b.borrower)) return ['borrower must be an object'];
  for (const f of ['name', 'email', 'mother_name', 'nationality', 'document_issuer', 'person_type']) {
    if (!isText(br[f])) errors.push(`borrower.${f} must be a string`);
  }
  if (typeof br.political_exposition !== 'boolean')
    errors.push('borrower.political_exposition must be a boolean value');
  if (!isCalendarDate(br.birth_date)) errors.push('borrower.birth_date must be a date YYYY-MM-DD');
  if (br.gender !== 'male' && br.gender !== 'female')
    errors.push('borrower.gender must be one of: male, female');
  if (!['single', 'married', 'divorced', 'widowed'].includes(String(br.marital_status))) {
    errors.push('borrower.marital_status must be one of: single, married, divorced, widowed');
  }
  if (typeof br.individual_document_number !== 'string' || !/^\d{11}$/.test(br.individual_document_number)) {
    errors.push('borrower.individual_document_number must be a string of 11 digits');
  }
  if (!['rg', 'cnh'].includes(String(br.document_identification_type))) {
    errors.push('borrower.document_identification_type must be one of: rg, cnh');
  }
  if (!isText(br.document_identification_number))
    errors.push('borrower.document_identification_number must be a string');
  if (!isCalendarDate(br.document_identification_date)) {
    errors.push('borrower.document_identification_date must be a date YYYY-MM-DD');
  }
  const phone = asRecord(br.phone);
  for (const f of ['country_code', 'area_code', 'number']) {
    if (!isText(phone[f])) errors.push(`borrower.phone.${f} must be a string`);
  }
  const address = asRecord(br.address);
  for (const f of ['street', 'number', 'neighborhood', 'city', 'state', 'postal_code']) {
    if (!isText(address[f])) errors.push(`borrower.address.${f} must be a string`);
  }
  errors.push(...validateBank(br.bank, 'borrower.bank'));
  if (errors.length > 0) return errors;
  return {
    shape: 'majority',
    simulationId: String(b.simulation_id),
    ...(typeof b.consult_id === 'string' ? { consultId: b.consult_id } : {}),
    ...(typeof b.provider === 'string' ? { provider: b.provider } : {}),
    cpf: String(br.individual_document_number),
    name: String(br.name),
    borrower: br,
    bank: asRecord(br.bank),
  };
}

/** LC's flatter shape [conflict]: `{consult_id, borrower{cpf,name,birth_date,...}, address{...}, bank{...}}`. */
function flat(b: Record<string, unknown>): OperationBody | string[] {
  const errors: string[] = [];
  if (!isRecord(b.borrower)) return ['borrower must be an object'];
  const br = b.borrower;
  if (typeof br.cpf !== 'string' || !/^\d{11}$/.test(br.cpf))
    errors.push('borrower.cpf must be a string of 11 digits');
  for (const f of ['name', 'email']) if (!isText(br[f])) errors.push(`borrower.${f} must be a string`);
  if (!isCalendarDate(br.birth_date)) errors.push('borrower.birth_date must be a date YYYY-MM-DD');
  if (!isText(br.phone) && !isRecord(br.phone)) errors.push('borrower.phone must be a string');
  const address = asRecord(b.address ?? br.address);
  for (const f of ['zip_code', 'street', 'number', 'city', 'state']) {
    if (!isText(address[f])) errors.push(`address.${f} must be a string`);
  }
  const bank = b.bank ?? br.bank;
  errors.push(...validateBank(bank, 'bank', true));
  if (errors.length > 0) return errors;
  return {
    shape: 'flat',
    consultId: String(b.consult_id),
    ...(typeof b.simulation_id === 'string' ? { simulationId: b.simulation_id } : {}),
    ...(typeof b.provider === 'string' ? { provider: b.provider } : {}),
    cpf: String(br.cpf),
    name: String(br.name),
    borrower: { ...br, address },
    bank: asRecord(bank),
  };
}

/** Accepts both create shapes; the majority one when `simulation_id` and `borrower.individual_document_number` are used. */
export function parseOperationBody(body: unknown): OperationBody | string[] {
  const b = asRecord(body);
  if (b.provider !== undefined && b.provider !== 'QI' && b.provider !== 'CELCOIN') {
    return ['provider must be one of the following values: QI, CELCOIN'];
  }
  const br = asRecord(b.borrower);
  const looksFlat =
    br.cpf !== undefined || (b.consult_id !== undefined && br.individual_document_number === undefined);
  if (looksFlat) {
    if (typeof b.consult_id !== 'string' || !b.consult_id) return ['consult_id must be a UUID'];
    return flat(b);
  }
  if (typeof b.simulation_id !== 'string' || !b.simulation_id) return ['simulation_id must be a UUID'];
  return majority(b);
}
