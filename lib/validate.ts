// Checks of arguments every subgraph takes; each failure is a BAD_USER_INPUT naming the field.
import { badUserInput } from './errors.ts';
import { isValidCreditCode, isValidIdNumber } from './ids.ts';
import { isDistrictCode } from './divisions.ts';
import { isMonth } from './periods.ts';

const MAX_INT4 = 2_147_483_647;

export function checkCreditCode(code: string, field: string): void {
  if (!isValidCreditCode(code)) throw badUserInput(`${field} is not a valid unified social credit code (统一社会信用代码)`, field);
}

export function checkIdNumber(id: string, field: string): void {
  if (!isValidIdNumber(id)) throw badUserInput(`${field} is not a valid resident ID number (身份证号)`, field);
}

export function checkYear(year: number, field = 'year'): void {
  if (!Number.isInteger(year) || year < 1900 || year > 2100) throw badUserInput(`${field} must be between 1900 and 2100`, field);
}

export function checkDistrict(code: string, field = 'district'): void {
  if (!isDistrictCode(code)) throw badUserInput(`${field} must be a 6-digit division code`, field);
}

/** For months that arrive in entity representations, which skip the Month scalar. */
export function checkMonth(month: string, field = 'month'): void {
  if (!isMonth(month)) throw badUserInput(`${field} must be a calendar month YYYY-MM`, field);
}

export function checkTownCode(code: string, field: string): void {
  if (!/^\d{9}$/.test(code)) throw badUserInput(`${field} must be a 9-digit town code`, field);
}

/** A database id given as GraphQL ID: a positive integer that fits PostgreSQL's integer. */
export function parseRecordId(id: string, field = 'id'): number {
  const n = /^\d{1,10}$/.test(id) ? Number(id) : NaN;
  if (!(n >= 1 && n <= MAX_INT4)) throw badUserInput(`${field} must be a positive integer id`, field);
  return n;
}

/** A required text field, trimmed: 1 to max characters. */
export function checkText(value: string, field: string, max: number): string {
  const text = value.trim();
  if (text.length === 0 || [...text].length > max) throw badUserInput(`${field} must be 1 to ${max} characters`, field);
  return text;
}

/** An optional text field, trimmed; blank is none. */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  const text = value?.trim() ?? '';
  if ([...text].length > max) throw badUserInput(`${field} must be at most ${max} characters`, field);
  return text.length ? text : null;
}

/** Period order of two dates (YYYY-MM-DD) or months (YYYY-MM): the later one must not come first. */
export function checkOrder(start: string, end: string | null | undefined, startField: string, endField: string): void {
  if (end != null && end < start) throw badUserInput(`${endField} (${end}) is before ${startField} (${start})`, endField);
}

export function checkCount(n: number, field: string, min: number, max: number): void {
  if (!Number.isInteger(n) || n < min || n > max) throw badUserInput(`${field} must be a whole number from ${min} to ${max}`, field);
}

/** A lead's period: a year YYYY or a month YYYY-MM. */
export function checkPeriodCode(period: string, field: string): void {
  if (!/^\d{4}$/.test(period) && !isMonth(period)) throw badUserInput(`${field} must be a year YYYY or a month YYYY-MM`, field);
  checkYear(Number(period.slice(0, 4)), field);
}
