// Calendar months and dates as the bureaus write them: YYYY-MM and YYYY-MM-DD, in UTC.

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isMonth(value: string): boolean {
  return MONTH.test(value);
}

export function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** First and last day of a month, as Dates at UTC midnight. */
export function monthBounds(month: string): { first: Date; last: Date } {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`not a month: ${month}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return { first: new Date(Date.UTC(y, mo - 1, 1)), last: new Date(Date.UTC(y, mo, 0)) };
}

/** YYYY-MM-DD of a Date (UTC). */
export function toDateString(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function toMonthString(d: Date): string {
  return d.toISOString().slice(0, 7);
}

/** A Date at UTC midnight of a YYYY-MM-DD string (already checked by the Date scalar). */
export function utcDate(value: string): Date {
  return new Date(`${value}T00:00:00Z`);
}

/** Today in UTC+8, where the bureaus keep their records, as YYYY-MM-DD. */
export function todayInChina(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}
