import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, nextOpen, zonedTime } from '../../../lib/alerts/business-hours.js';
import type { BusinessHours } from '../../../lib/alerts/config.js';
import { escalationTarget, slaDueTimes, slaMinutesFor, slaScheduleName } from '../../../lib/alerts/sla.js';
import { parseHubConfig } from '../../../lib/config.js';

const berlin: BusinessHours = {
  timeZone: 'Europe/Berlin',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '09:00',
  end: '18:00',
};
const iso = (d: Date) => d.toISOString();
// 2026-03-06 is a Friday; Berlin is UTC+1 until 2026-03-29, UTC+2 after.
const at = (s: string) => new Date(s);

describe('business hours', () => {
  it('adds plain minutes when open', () => {
    expect(iso(addBusinessMinutes(at('2026-03-04T10:00:00Z'), 5, berlin))).toBe('2026-03-04T10:05:00.000Z');
  });

  it('starts the clock of a lead arriving at night at the next opening', () => {
    // Wednesday 23:30 Berlin → Thursday 09:00 Berlin (08:00 UTC) + 5 min.
    expect(iso(addBusinessMinutes(at('2026-03-04T22:30:00Z'), 5, berlin))).toBe('2026-03-05T08:05:00.000Z');
    // Early morning the same day.
    expect(iso(addBusinessMinutes(at('2026-03-05T05:00:00Z'), 5, berlin))).toBe('2026-03-05T08:05:00.000Z');
  });

  it('carries what is left at closing over the weekend to Monday', () => {
    // Friday 17:58 Berlin: 2 minutes today, 3 on Monday from 09:00.
    expect(iso(addBusinessMinutes(at('2026-03-06T16:58:00Z'), 5, berlin))).toBe('2026-03-09T08:03:00.000Z');
    // Saturday → Monday opening.
    expect(iso(nextOpen(at('2026-03-07T12:00:00Z'), berlin))).toBe('2026-03-09T08:00:00.000Z');
  });

  it('follows daylight saving time', () => {
    // Monday 2026-03-30 is after the switch to CEST (UTC+2): 09:00 Berlin is 07:00 UTC.
    expect(iso(addBusinessMinutes(at('2026-03-28T12:00:00Z'), 10, berlin))).toBe('2026-03-30T07:10:00.000Z');
    expect(zonedTime({ year: 2026, month: 10, day: 26 }, '09:00', 'Europe/Berlin')).toBe(
      Date.parse('2026-10-26T08:00:00Z'),
    );
    // New York: DST starts 2026-03-08.
    const ny: BusinessHours = { ...berlin, timeZone: 'America/New_York' };
    expect(iso(nextOpen(at('2026-03-07T20:00:00Z'), ny))).toBe('2026-03-09T13:00:00.000Z');
  });

  it('spans several open days for a long SLA, and leaves instants in hours alone', () => {
    // 9 open hours a day: 20 hours from Monday 09:00 end Wednesday 11:00.
    expect(iso(addBusinessMinutes(at('2026-03-09T08:00:00Z'), 20 * 60, berlin))).toBe(
      '2026-03-11T10:00:00.000Z',
    );
    expect(iso(nextOpen(at('2026-03-09T10:00:00Z'), berlin))).toBe('2026-03-09T10:00:00.000Z');
    expect(iso(nextOpen(at('2026-03-09T10:00:00Z'), undefined))).toBe('2026-03-09T10:00:00.000Z');
  });

  it('handles a weekend-only team', () => {
    const weekend: BusinessHours = { ...berlin, timeZone: 'UTC', days: ['sat', 'sun'] };
    expect(iso(addBusinessMinutes(at('2026-03-04T10:00:00Z'), 30, weekend))).toBe('2026-03-07T09:30:00.000Z');
  });
});

describe('SLA minutes and due times', () => {
  const config = (sla: Record<string, unknown> = {}) => parseHubConfig({ alerts: { sla } });

  it('gives the top grade 5 minutes by default and the others none', () => {
    expect(slaMinutesFor(config(), 'A')).toBe(5);
    expect(slaMinutesFor(config(), 'B')).toBeUndefined();
    const custom = parseHubConfig({
      scoring: {
        grades: [
          { grade: 'cold', minScore: 0 },
          { grade: 'hot', minScore: 70 },
        ],
      },
    });
    expect(slaMinutesFor(custom, 'hot')).toBe(5);
  });

  it('takes per-grade minutes, then per-form overrides, and nothing when disabled', () => {
    const c = config({ minutes: { A: 3, B: 30 }, forms: { demo: { A: 1 } } });
    expect(slaMinutesFor(c, 'A')).toBe(3);
    expect(slaMinutesFor(c, 'B', 'contact')).toBe(30);
    expect(slaMinutesFor(c, 'A', 'demo')).toBe(1);
    expect(slaMinutesFor(c, 'B', 'demo')).toBe(30);
    expect(slaMinutesFor(c, 'C')).toBeUndefined();
    expect(slaMinutesFor(config({ enabled: false }), 'A')).toBeUndefined();
  });

  it('computes both levels from the platform time, in business hours', () => {
    const c = config({ businessHours: { timeZone: 'Europe/Berlin' }, secondLevel: { afterMinutes: 15 } });
    // Friday 16:55 Berlin (default hours 09:00–17:00), alerted at once: level 1 at 17:00, level 2 Monday 09:15.
    const due = slaDueTimes(c, '2026-03-06T15:55:00.000Z', 5, at('2026-03-06T15:55:01Z'));
    expect(due.map(iso)).toEqual(['2026-03-06T16:00:00.000Z', '2026-03-09T08:15:00.000Z']);
  });

  it('moves the levels back when the alert is late, keeping at least a minute (or the SLA) to claim', () => {
    const c = config({ secondLevel: { afterMinutes: 10 } });
    const late = slaDueTimes(c, '2026-03-04T10:00:00.000Z', 5, at('2026-03-04T10:30:00Z'));
    expect(late.map(iso)).toEqual(['2026-03-04T10:31:00.000Z', '2026-03-04T10:41:00.000Z']);
    const short = slaDueTimes(c, '2026-03-04T10:00:00.000Z', 0.25, at('2026-03-04T10:30:00Z'));
    expect(iso(short[0] as Date)).toBe('2026-03-04T10:30:15.000Z');
  });

  it('names timers within EventBridge Scheduler limits and picks escalation targets', () => {
    expect(slaScheduleName('ld_Xk2v9QmB7sTq4LwZr1aPcD', 2)).toBe('sla-ld_Xk2v9QmB7sTq4LwZr1aPcD-2');
    expect(slaScheduleName('a/b c', 1)).toBe('sla-a_b_c-1');
    const c = config({
      escalation: { channel: 'C0ESC' },
      secondLevel: { afterMinutes: 5, mention: 'U0BOSS' },
    });
    expect(escalationTarget(c, 1, 'C0SALES')).toEqual({ channel: 'C0ESC', mention: 'here' });
    expect(escalationTarget(c, 2, 'C0SALES')).toEqual({ channel: 'C0SALES', mention: 'U0BOSS' });
  });
});
