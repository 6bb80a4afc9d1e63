/**
 * Brazilian phone numbers as V8 wants them: country code 55, a two-digit DDD (area code) and the
 * 8-9 digit subscriber number, each a string of digits.
 */
export interface SplitPhone {
  readonly countryCode: string;
  readonly areaCode: string;
  readonly phoneNumber: string;
}

export type PhoneResult = { ok: true; phone: SplitPhone } | { ok: false; reason: string };

// DDDs are 11-99 with no zero in either digit (Anatel numbering plan).
const DDD = /^[1-9][1-9]$/;

export function splitBrazilianPhone(input: string): PhoneResult {
  const raw = input.trim();
  if (raw === '') return { ok: false, reason: 'is required' };
  if (!/^[+\d\s().-]+$/.test(raw)) {
    return { ok: false, reason: 'may contain only digits, spaces, +, -, ( and )' };
  }
  let digits = raw.replace(/\D/g, '');
  const international = raw.startsWith('+');
  if (international && !digits.startsWith('55')) {
    return { ok: false, reason: 'must be a Brazilian number (+55)' };
  }
  // 55 + DDD + 8/9 digits is 12/13 digits; without 55 it is 10/11.
  if ((international || digits.length >= 12) && digits.startsWith('55')) digits = digits.slice(2);
  // A leading trunk zero ("011 91234-5678") is dialled inside Brazil but is not part of the number.
  if (digits.length === 11 && digits.startsWith('0')) digits = digits.slice(1);
  if (digits.length === 12 && digits.startsWith('0')) digits = digits.slice(1);
  if (digits.length !== 10 && digits.length !== 11) {
    return { ok: false, reason: 'must have a two-digit area code (DDD) and an 8 or 9 digit number' };
  }
  const areaCode = digits.slice(0, 2);
  const phoneNumber = digits.slice(2);
  if (!DDD.test(areaCode)) return { ok: false, reason: `area code (DDD) ${areaCode} does not exist` };
  if (phoneNumber.length === 9 && !phoneNumber.startsWith('9')) {
    return { ok: false, reason: '9-digit numbers are mobiles and must start with 9' };
  }
  return { ok: true, phone: { countryCode: '55', areaCode, phoneNumber } };
}

/**
 * The "nono dígito": Anatel (Resolução 553/2010) added a leading 9 to every mobile number, DDD by
 * DDD, completed in November 2016, so a Brazilian mobile has 9 digits starting with 9. Leads typed
 * before that, or from old address books, still carry the 8-digit form. In the old plan the first
 * digit told the service: 2-5 fixed lines, 6-9 mobiles. So an 8-digit number starting with 6, 7, 8
 * or 9 is a mobile written the old way and gets its 9 ("9123-4567" -> "99123-4567"); fixed lines
 * and 9-digit numbers are kept. V8 expects the 9-digit mobile; two of the integrations we compared
 * pad it the same way.
 */
export function addMobileNine(phone: SplitPhone): SplitPhone {
  if (phone.phoneNumber.length === 8 && /^[6-9]/.test(phone.phoneNumber)) {
    return { ...phone, phoneNumber: `9${phone.phoneNumber}` };
  }
  return phone;
}
