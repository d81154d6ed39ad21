// Calendar arithmetic on 'YYYY-MM-DD' and 'YYYY-MM' strings (UTC), which compare correctly as strings.

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (days past the month's end roll over, as Date.UTC does). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;

/** 'YYYY-MM-DD' → days since 1970-01-01. Hot in the generator: parsed by hand, no Date. */
export function dayNumber(date: string): number {
  const y = digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3);
  const m = digit(date, 5) * 10 + digit(date, 6);
  const d = digit(date, 8) * 10 + digit(date, 9);
  return daysFromCivil(y, m, d);
}

// Formatted dates from 1900 to 2100, built on first use.
const CACHE_FROM = daysFromCivil(1900, 1, 1);
const CACHE_SIZE = daysFromCivil(2100, 1, 1) - CACHE_FROM;
const formatted: (string | undefined)[] = new Array(CACHE_SIZE);

export function fromDayNumber(n: number): string {
  const i = n - CACHE_FROM;
  if (i >= 0 && i < CACHE_SIZE) return (formatted[i] ??= new Date(n * DAY_MS).toISOString().slice(0, 10));
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Same day k months later, clamped to the month's length (01-31 + 1 month = 02-28). */
export function addMonthsToDate(date: string, months: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const year = y + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  const day = Math.min(Number(date.slice(8, 10)), daysInMonth(year, month + 1));
  return `${year}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function addYears(date: string, years: number): string {
  return addMonthsToDate(date, years * 12);
}

export function addMonths(month: string, k: number): string {
  return addMonthsToDate(`${month}-01`, k).slice(0, 7);
}

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

export function firstDay(month: string): string {
  return `${month}-01`;
}

export function lastDay(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return `${month}-${String(daysInMonth(y, m)).padStart(2, '0')}`;
}

/** A local (UTC+8) timestamp on a date, as ISO 8601 with offset. */
export function timestamp(date: string, hour: number, minute: number, second = 0): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date}T${p(hour)}:${p(minute)}:${p(second)}.000+08:00`;
}
