import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rebuildTimers } from '../../../lib/local/slack-wiring.js';
import { TimerScheduler } from '../../../lib/local/timer-scheduler.js';
import type { ScheduledPayload } from '../../../lib/ports.js';

const payload = (level = 1): ScheduledPayload => ({ kind: 'sla', leadId: 'ld_1', level });

describe('TimerScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-05T10:00:00.000Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once at its time with its payload', async () => {
    const fired: ScheduledPayload[] = [];
    const timers = new TimerScheduler({ fire: async (p) => void fired.push(p) });
    await timers.schedule('a', new Date('2026-01-05T10:05:00.000Z'), payload());
    await vi.advanceTimersByTimeAsync(299_999);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([payload()]);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(fired).toHaveLength(1);
    expect(timers.pending()).toEqual([]);
  });

  it('keeps an armed timer when the same name is scheduled again, and fires past times at once', async () => {
    const fired: ScheduledPayload[] = [];
    const timers = new TimerScheduler({ fire: async (p) => void fired.push(p) });
    await timers.schedule('a', new Date('2026-01-05T10:05:00.000Z'), payload(1));
    await timers.schedule('a', new Date('2026-01-05T10:01:00.000Z'), payload(2));
    expect(timers.pending().map((t) => t.at.toISOString())).toEqual(['2026-01-05T10:05:00.000Z']);
    await timers.schedule('past', new Date('2026-01-05T09:00:00.000Z'), payload(3));
    await vi.advanceTimersByTimeAsync(0);
    expect(fired).toEqual([payload(3)]);
  });

  it('does not fire a cancelled timer', async () => {
    const fire = vi.fn(async () => undefined);
    const timers = new TimerScheduler({ fire });
    await timers.schedule('a', new Date('2026-01-05T10:05:00.000Z'), payload());
    await timers.cancel('a');
    await timers.cancel('never-armed');
    await vi.advanceTimersByTimeAsync(600_000);
    expect(fire).not.toHaveBeenCalled();
  });

  it('retries a failing firing, then gives up and logs it', async () => {
    const errors: string[] = [];
    let calls = 0;
    const timers = new TimerScheduler({
      fire: async () => {
        calls++;
        throw new Error('Slack down');
      },
      maxAttempts: 3,
      retryDelayMs: 100,
      logger: { debug() {}, info() {}, warn() {}, error: (m: string) => void errors.push(m) },
    });
    await timers.schedule('a', new Date('2026-01-05T10:00:01.000Z'), payload());
    await vi.advanceTimersByTimeAsync(1_000 + 100 + 200);
    await timers.drain();
    expect(calls).toBe(3);
    expect(errors).toEqual(['Scheduled timer gave up']);
  });

  it('stops: no timer fires after stop, and no new one is accepted', async () => {
    const fire = vi.fn(async () => undefined);
    const timers = new TimerScheduler({ fire });
    await timers.schedule('a', new Date('2026-01-05T10:05:00.000Z'), payload());
    await timers.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(fire).not.toHaveBeenCalled();
    await expect(timers.schedule('b', new Date(), payload())).rejects.toThrow('stopped');
  });

  it('is rebuilt from the pending SLAs in the store', async () => {
    const fired: ScheduledPayload[] = [];
    const timers = new TimerScheduler({ fire: async (p) => void fired.push(p) });
    const store = {
      listPendingSlas: async () => [
        { leadId: 'ld_past', level: 1, dueAt: '2026-01-05T09:59:00.000Z' },
        { leadId: 'ld_later', level: 2, dueAt: '2026-01-05T10:10:00.000Z' },
      ],
    };
    const log = { debug() {}, info() {}, warn() {}, error() {} };
    expect(await rebuildTimers(store, timers, log)).toBe(2);
    expect(timers.pending().map((t) => t.name)).toEqual(['sla-ld_past-1', 'sla-ld_later-2']);
    await vi.advanceTimersByTimeAsync(0);
    expect(fired).toEqual([{ kind: 'sla', leadId: 'ld_past', level: 1 }]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(fired.map((p) => p.leadId)).toEqual(['ld_past', 'ld_later']);
  });
});
