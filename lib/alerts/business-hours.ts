import { type BusinessHours, WEEKDAYS } from './config.js';

/**
 * Business-minute arithmetic in a time zone, with Intl only (no date library): the SLA clock runs while
 * the team is open, so a lead arriving at night starts its clock at the next opening, and one arriving a
 * minute before closing carries the rest over to the next open day.
 */

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a time zone. */
function wallClock(instant: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of the zone from UTC at an instant, in ms (wall clock read as UTC, minus the instant). */
function offsetAt(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant a wall-clock time happens in a zone (a time skipped by a DST change lands just after). */
export function zonedTime(date: LocalDate, hhmm: string, timeZone: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const guess = Date.UTC(date.year, date.month - 1, date.day, h, m);
  const first = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(first, timeZone);
  return second;
}

function localDate(instant: number, timeZone: string): LocalDate {
  const w = wallClock(instant, timeZone);
  return { year: w.year, month: w.month, day: w.day };
}

function addDays(d: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

function weekday(d: LocalDate): (typeof WEEKDAYS)[number] {
  return WEEKDAYS[new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay()] as (typeof WEEKDAYS)[number];
}

/** The open period that contains `instant` or comes next. */
function openingFrom(instant: number, hours: BusinessHours): { open: number; close: number } {
  const days = new Set(hours.days);
  let date = addDays(localDate(instant, hours.timeZone), -1);
  for (let i = 0; i < 9; i++, date = addDays(date, 1)) {
    if (!days.has(weekday(date))) continue;
    const open = zonedTime(date, hours.start, hours.timeZone);
    const close = zonedTime(date, hours.end, hours.timeZone);
    if (close > instant) return { open, close };
  }
  // Unreachable with at least one open day (the schema requires one).
  throw new Error('business hours have no open day');
}

/** `start` if it falls in business hours, else the next opening. */
export function nextOpen(start: Date, hours: BusinessHours | undefined): Date {
  if (!hours) return start;
  const { open } = openingFrom(start.getTime(), hours);
  return new Date(Math.max(open, start.getTime()));
}

/** `start` plus `minutes` of open time (plain minutes without business hours). */
export function addBusinessMinutes(start: Date, minutes: number, hours: BusinessHours | undefined): Date {
  let remaining = Math.round(minutes * 60_000);
  if (!hours) return new Date(start.getTime() + remaining);
  let t = start.getTime();
  // One iteration per open period; a week of minutes spans at most eight of them.
  for (let i = 0; i < 400; i++) {
    const { open, close } = openingFrom(t, hours);
    const from = Math.max(t, open);
    if (remaining <= close - from) return new Date(from + remaining);
    remaining -= close - from;
    t = close;
  }
  throw new Error('SLA does not fit in the business hours');
}
