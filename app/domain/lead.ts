import { addMobileNine, type SplitPhone, splitBrazilianPhone } from './phone.ts';

/**
 * A CRM lead turned into what V8's consult needs. Kentro data is free text typed by brokers (names in
 * any case, dates as DD/MM/YYYY, "null" strings, the phone as 55+DDD+number), so everything is
 * normalized here and every problem is reported in pt-BR: the reason ends up in a Kentro note that a
 * broker reads.
 */

export type LeadGender = 'male' | 'female';

export interface RawLead {
  readonly name?: string | undefined;
  /** DD/MM/YYYY (Kentro convention), D/M/YYYY, DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD. */
  readonly birthDate?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly gender?: string | undefined;
}

export interface NormalizedLead {
  readonly name: string;
  /** YYYY-MM-DD. */
  readonly birthDate: string;
  readonly email: string;
  /** True when the lead had no usable e-mail and `email` is the placeholder. */
  readonly emailIsPlaceholder: boolean;
  readonly phone: SplitPhone;
  readonly gender: LeadGender;
  /** True when the lead had no gender and the default was used. */
  readonly genderIsDefault: boolean;
}

export interface LeadProblem {
  readonly field: 'name' | 'birthDate' | 'phone';
  /** pt-BR, for the broker. */
  readonly reason: string;
}

export type LeadResult =
  | { readonly ok: true; readonly lead: NormalizedLead }
  | { readonly ok: false; readonly problems: readonly LeadProblem[] };

/** Integrators send `male` when the gender is unknown (reference §1.6.1); V8 requires one. */
export const DEFAULT_GENDER: LeadGender = 'male';

const EMPTY_MARKERS = new Set([
  '',
  'null',
  'undefined',
  'nan',
  '-',
  'n/a',
  'na',
  'não informado',
  'nao informado',
]);

/** Trimmed text, or undefined for blanks and the "null"-like strings CRMs store. */
export function presentText(value: string | undefined | null): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim().replace(/\s+/g, ' ');
  return EMPTY_MARKERS.has(t.toLowerCase()) ? undefined : t;
}

/**
 * Upper-case name with single spaces. A "name" without letters (a Kentro title that is the WhatsApp
 * number or the CPF, as leads created from a chat often are) is no name.
 */
export function normalizeName(value: string | undefined): { name: string } | { reason: string } {
  const t = presentText(value);
  if (t === undefined) return { reason: 'nome do cliente não informado' };
  const letters = t.match(/\p{L}/gu)?.length ?? 0;
  if (letters < 2) return { reason: 'nome do cliente inválido (sem letras, parece um número)' };
  if (/\d/.test(t)) return { reason: 'nome do cliente inválido (contém números)' };
  const name = t
    .replace(/[^\p{L}\p{M}' .-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLocaleUpperCase('pt-BR');
  if (name.length > 120) return { reason: 'nome do cliente longo demais' };
  return { name };
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A birth date as YYYY-MM-DD. Day first is the Brazilian convention: "05/04/1990" is 5 April.
 * `today` (YYYY-MM-DD) bounds it: no future dates, nobody older than 120.
 */
export function parseBirthDate(
  value: string | undefined,
  today: string,
): { date: string } | { reason: string } {
  const t = presentText(value);
  if (t === undefined) return { reason: 'data de nascimento não informada' };
  let y: number;
  let m: number;
  let d: number;
  const br = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$/.exec(t);
  if (br) {
    d = Number(br[1]);
    m = Number(br[2]);
    y = Number(br[3]);
  } else if (iso) {
    y = Number(iso[1]);
    m = Number(iso[2]);
    d = Number(iso[3]);
  } else {
    return { reason: 'data de nascimento inválida (use DD/MM/AAAA)' };
  }
  if (!isCalendarDate(y, m, d)) return { reason: 'data de nascimento inválida (dia ou mês inexistente)' };
  const date = `${y}-${pad(m)}-${pad(d)}`;
  if (date > today) return { reason: 'data de nascimento no futuro' };
  if (Number(today.slice(0, 4)) - y > 120)
    return { reason: 'data de nascimento inválida (mais de 120 anos)' };
  return { date };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The placeholder rule integrators use when a lead has no e-mail: `<cpf>@<domain>`. */
export function placeholderEmail(cpf: string, domain: string): string {
  return `${cpf}@${domain}`;
}

/** Lower-case e-mail when it looks like one; otherwise undefined (the caller uses the placeholder). */
export function normalizeEmail(value: string | undefined): string | undefined {
  const t = presentText(value)?.toLowerCase().replace(/\s/g, '');
  return t !== undefined && EMAIL.test(t) && t.length <= 254 ? t : undefined;
}

const GENDERS: Readonly<Record<string, LeadGender>> = {
  m: 'male',
  male: 'male',
  masculino: 'male',
  homem: 'male',
  f: 'female',
  female: 'female',
  feminino: 'female',
  mulher: 'female',
};

export function normalizeGender(value: string | undefined): LeadGender | undefined {
  const t = presentText(value)?.toLowerCase();
  return t === undefined ? undefined : GENDERS[t];
}

/** `addNine`: 8-digit mobiles get their leading 9 (see addMobileNine; PHONE_ADD_MOBILE_NINE). */
export function normalizePhone(
  value: string | undefined,
  o: { readonly addNine?: boolean } = {},
): { phone: SplitPhone } | { reason: string } {
  const t = presentText(value);
  if (t === undefined) return { reason: 'telefone não informado' };
  const r = splitBrazilianPhone(t);
  if (!r.ok) return { reason: 'telefone inválido (informe DDD e número)' };
  return { phone: o.addNine ? addMobileNine(r.phone) : r.phone };
}

export interface NormalizeOptions {
  readonly cpf: string;
  /** Today as YYYY-MM-DD (from the injected clock). */
  readonly today: string;
  readonly placeholderEmailDomain: string;
  /** 8-digit mobiles get their leading 9 (PHONE_ADD_MOBILE_NINE). Default false. */
  readonly addMobileNine?: boolean;
}

/**
 * Name, birth date and phone are required (V8 refuses a consult without them and a wrong birth date
 * ends REJECTED); e-mail gets the placeholder and gender the default, as integrators do.
 */
export function normalizeLead(raw: RawLead, o: NormalizeOptions): LeadResult {
  const problems: LeadProblem[] = [];
  const name = normalizeName(raw.name);
  if ('reason' in name) problems.push({ field: 'name', reason: name.reason });
  const birth = parseBirthDate(raw.birthDate, o.today);
  if ('reason' in birth) problems.push({ field: 'birthDate', reason: birth.reason });
  const phone = normalizePhone(raw.phone, { addNine: o.addMobileNine === true });
  if ('reason' in phone) problems.push({ field: 'phone', reason: phone.reason });
  if ('reason' in name || 'reason' in birth || 'reason' in phone) return { ok: false, problems };
  const email = normalizeEmail(raw.email);
  const gender = normalizeGender(raw.gender);
  return {
    ok: true,
    lead: {
      name: name.name,
      birthDate: birth.date,
      email: email ?? placeholderEmail(o.cpf, o.placeholderEmailDomain),
      emailIsPlaceholder: email === undefined,
      phone: phone.phone,
      gender: gender ?? DEFAULT_GENDER,
      genderIsDefault: gender === undefined,
    },
  };
}

/** One pt-BR sentence for a Kentro note / the flow's reason. */
export function describeLeadProblems(problems: readonly LeadProblem[]): string {
  const list = problems.map((p) => p.reason);
  return `Dados do cliente incompletos: ${list.join('; ')}.`;
}
