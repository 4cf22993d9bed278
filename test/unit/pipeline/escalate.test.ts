import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LeadSlaBreachedV2Schema } from '../../../events/contracts.js';
import { parseHubConfig } from '../../../lib/config.js';
import { createSlaEscalator } from '../../../lib/handlers/sla-escalator.js';
import { TimerScheduler } from '../../../lib/local/timer-scheduler.js';
import { decideLead } from '../../../lib/pipeline/decide.js';
import { escalateLead } from '../../../lib/pipeline/escalate.js';
import { notifyLead } from '../../../lib/pipeline/notify.js';
import { fakeDeps as baseDeps, fakeLogger } from '../scoring/fixtures.js';
import { FakeAlertStore, FakeAppNotifier, RecordingScheduler } from './alert-fakes.js';

const config = parseHubConfig({
  alerts: {
    defaultChannel: 'C0SALES',
    sla: {
      escalation: { channel: 'C0ESC', mention: 'S0MGRS' },
      secondLevel: { afterMinutes: 10, mention: 'U0BOSS' },
    },
  },
});

/** The real timer scheduler on a fake clock, firing the real escalator handler. */
function hub() {
  const notifier = new FakeAppNotifier();
  const log = fakeLogger();
  const deps = baseDeps({
    store: new FakeAlertStore(),
    notifier,
    config,
    clock: { now: () => new Date() },
    logger: log.logger,
  });
  const store = deps.store as unknown as FakeAlertStore;
  const escalator = createSlaEscalator(deps);
  const timers = new TimerScheduler({ fire: (payload) => escalator(payload) });
  deps.scheduler = timers;
  const lead = store.addScored(
    {
      attribution: {
        landingUrl: 'https://www.example.com/?email=jane',
        clickIds: { gclid: 'gclid-of-jane' },
      },
    },
    { score: 90, grade: 'A' },
  );
  return { deps, store, notifier, timers, lead, bus: deps.bus, log };
}

/** Runs a promise to completion while fake time moves on in small steps (the fakes yield with timers). */
async function settle<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  void promise.finally(() => {
    done = true;
  });
  while (!done) await vi.advanceTimersByTimeAsync(1);
  return promise;
}

const breaches = (bus: { published: { detailType: string; detail: unknown }[] }) =>
  bus.published
    .filter((e) => e.detailType === 'LeadSlaBreached')
    .map((e) => LeadSlaBreachedV2Schema.parse(e.detail));

describe('SLA escalation on a fake clock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-05T10:00:30.000Z') });
  });
  afterEach(async () => {
    vi.useRealTimers();
  });

  it('escalates an unclaimed A lead at 5 min (level 1) and 10 min later (level 2), publishing LeadSlaBreached', async () => {
    const { deps, notifier, timers, lead, bus } = hub();
    await settle(notifyLead(deps, lead));
    expect(timers.pending().map((t) => [t.name, t.at.toISOString()])).toEqual([
      ['sla-lead-1-1', '2026-01-05T10:05:00.000Z'],
      ['sla-lead-1-2', '2026-01-05T10:15:00.000Z'],
    ]);

    await vi.advanceTimersByTimeAsync(4 * 60_000 + 29_000); // 10:04:59
    expect(notifier.posts).toHaveLength(1);
    expect(breaches(bus)).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(1_000 + 50); // 10:05:00
    await settle(timers.drain());
    expect(notifier.posts).toHaveLength(2);
    const repost = notifier.posts[1];
    expect(repost?.channel).toBe('C0ESC');
    expect(repost?.text).toMatch(/^<!subteam\^S0MGRS> Unclaimed for 5 min: Jane Smith/);
    expect(JSON.stringify(repost?.blocks)).toContain('claimed within 5 min');
    expect(JSON.stringify(repost?.blocks)).toContain('leadhub_claim');
    expect(breaches(bus)).toEqual([
      expect.objectContaining({
        leadId: 'lead-1',
        level: 1,
        slaMinutes: 5,
        dueAt: '2026-01-05T10:05:00.000Z',
        escalatedTo: 'C0ESC',
        grade: 'A',
      }),
    ]);

    await vi.advanceTimersByTimeAsync(10 * 60_000);
    await settle(timers.drain());
    expect(notifier.posts).toHaveLength(3);
    // Level 2 has no channel of its own: it goes where the alert went, with its own mention.
    expect(notifier.posts[2]?.channel).toBe('C0SALES');
    expect(notifier.posts[2]?.text).toMatch(/^<@U0BOSS> Unclaimed for 15 min/);
    expect(breaches(bus).map((b) => b.level)).toEqual([1, 2]);
    expect(JSON.stringify(breaches(bus))).not.toMatch(/jane|example|gclid/);
    expect(timers.pending()).toEqual([]);
  });

  it('does not escalate a lead claimed in time, and its card loses the buttons', async () => {
    const { deps, notifier, timers, lead, bus, store } = hub();
    await settle(notifyLead(deps, lead));
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    await settle(decideLead(deps, { leadId: 'lead-1', outcome: 'claimed', userId: 'U0ALICE' }));
    expect(timers.pending()).toEqual([]);

    await vi.advanceTimersByTimeAsync(30 * 60_000);
    await settle(timers.drain());
    expect(notifier.posts).toHaveLength(1);
    expect(breaches(bus)).toHaveLength(0);
    expect(notifier.updates).toHaveLength(1);
    expect(await settle(store.listPendingSlas())).toEqual([]);
  });

  it('does not repost the card of a lead erased after its alert, and leaves its SLA', async () => {
    const { deps, notifier, timers, lead, bus, store } = hub();
    await settle(notifyLead(deps, lead));
    const stored = store.leads.get('lead-1');
    if (!stored) throw new Error('no lead');
    // What an erasure leaves of the lead: ids, timings and a score without reasons or enrichment.
    store.addLead({
      ...stored,
      email: undefined,
      fullName: undefined,
      firstName: undefined,
      lastName: undefined,
      deletedAt: '2026-01-05T10:02:00.000Z',
      deletedReason: 'erased',
    });

    await vi.advanceTimersByTimeAsync(30 * 60_000);
    await settle(timers.drain());
    expect(notifier.posts).toHaveLength(1);
    expect(breaches(bus)).toEqual([]);
    expect(await settle(store.listPendingSlas())).toEqual([]);
  });

  it('re-checks the claim when the timer fires anyway (a cancel that lost the race)', async () => {
    const { deps, notifier, timers, lead, bus } = hub();
    await settle(notifyLead(deps, lead));
    // The claim's cancel never reaches the timers.
    const decideDeps = { ...deps, scheduler: new RecordingScheduler() };
    await settle(decideLead(decideDeps, { leadId: 'lead-1', outcome: 'claimed', userId: 'U0ALICE' }));
    expect(timers.pending()).toHaveLength(2);

    await vi.advanceTimersByTimeAsync(20 * 60_000);
    await settle(timers.drain());
    expect(notifier.posts).toHaveLength(1);
    expect(breaches(bus)).toHaveLength(0);
  });

  it('escalates a level once, however often its timer fires', async () => {
    const { deps, notifier, lead } = hub();
    deps.scheduler = new RecordingScheduler();
    await settle(notifyLead(deps, lead));
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    const results = await settle(
      Promise.all([
        escalateLead(deps, { kind: 'sla', leadId: 'lead-1', level: 1 }),
        escalateLead(deps, { kind: 'sla', leadId: 'lead-1', level: 1 }),
      ]),
    );
    const again = await settle(escalateLead(deps, { kind: 'sla', leadId: 'lead-1', level: 1 }));
    expect(again).toEqual({ result: 'skipped', reason: 'already-escalated' });
    expect(results.filter((r) => r.result === 'escalated')).toHaveLength(1);
    expect(notifier.posts).toHaveLength(2);
  });

  it('puts back a timer that fires early', async () => {
    const { deps, notifier, lead, timers } = hub();
    await settle(notifyLead(deps, lead));
    await timers.cancel('sla-lead-1-1');
    const early = await settle(escalateLead(deps, { kind: 'sla', leadId: 'lead-1', level: 1 }));
    expect(early).toEqual({ result: 'skipped', reason: 'not-due' });
    expect(timers.pending()[0]).toMatchObject({ name: 'sla-lead-1-1' });
    expect(notifier.posts).toHaveLength(1);
  });

  it('drops a payload off its contract without retrying, logging no PII', async () => {
    const { deps, log } = hub();
    const escalator = createSlaEscalator(deps);
    expect(await escalator({ kind: 'sla', leadId: 'x y', level: 1 })).toBeUndefined();
    expect(await escalator({ leadId: 'lead-1' })).toBeUndefined();
    expect(log.entries.filter((e) => e.message === 'invalid SLA timer payload')).toHaveLength(2);
  });
});

describe('SLA escalation without a pending SLA', () => {
  it('skips leads that have no SLA or no alert', async () => {
    const deps = baseDeps({ store: new FakeAlertStore(), notifier: new FakeAppNotifier(), config });
    expect(await escalateLead(deps, { kind: 'sla', leadId: 'nobody', level: 1 })).toEqual({
      result: 'skipped',
      reason: 'no-sla',
    });
  });
});
