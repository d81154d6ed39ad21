// Identifiers of the domain: unified social credit codes (GB 32100-2015) and resident ID numbers (GB 11643-1999).

export const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** Check character of the first 17 characters of a credit code. */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_ALPHABET.indexOf(first17[i]!);
    if (v < 0) throw new Error(`invalid credit-code character ${first17[i]}`);
    sum += v * CREDIT_WEIGHTS[i]!;
  }
  const c = 31 - (sum % 31);
  return CREDIT_ALPHABET[c === 31 ? 0 : c]!;
}

export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$/.test(code)) return false;
  return creditCodeCheckChar(code.slice(0, 17)) === code[17];
}

/** The 6-digit administrative division a unit is registered in (characters 3-8). */
export function creditCodeDivision(code: string): string {
  return code.slice(2, 8);
}

/** Check digit of the first 17 digits of a resident ID number. */
export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

export function isValidIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  if (!isRealDate(id.slice(6, 14))) return false;
  return idNumberCheckChar(id.slice(0, 17)) === id[17];
}

function isRealDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Birth date (YYYY-MM-DD) from digits 7-14. */
export function birthDateOf(id: string): string {
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

/** 17th digit: odd for men, even for women. */
export function sexOf(id: string): 'MALE' | 'FEMALE' {
  return Number(id[16]) % 2 === 1 ? 'MALE' : 'FEMALE';
}

/** Masks an ID number for callers who may not see it: 330109********123X. */
export function maskIdNumber(id: string): string {
  return id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : '*'.repeat(id.length);
}

/** Builds a valid ID number from division, birth date (YYYYMMDD), 3-digit sequence (parity = sex). */
export function makeIdNumber(division: string, birth: string, sequence: number): string {
  const first17 = `${division}${birth}${String(sequence).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}

/** Builds a valid credit code: authority 1 (establishment office), kind, division, 9-char organisation code. */
export function makeCreditCode(kind: '1' | '2' | '3', division: string, organisation: string): string {
  const first17 = `1${kind}${division}${organisation}`;
  return first17 + creditCodeCheckChar(first17);
}
