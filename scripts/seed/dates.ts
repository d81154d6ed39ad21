// Calendar arithmetic on 'YYYY-MM-DD' and 'YYYY-MM' strings (UTC), which compare correctly as strings.

const DAY_MS = 86_400_000;

export function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

export function fromDayNumber(n: number): string {
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
