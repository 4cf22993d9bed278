import { describe, expect, it, vi } from 'vitest';
import { ALERT_ACTIONS } from '../../../lib/alerts/actions.js';
import { parseHubConfig } from '../../../lib/config.js';
import { notifyLead } from '../../../lib/pipeline/notify.js';
import type { SpeedMetrics } from '../../../lib/ports.js';
import { fakeDeps as baseDeps, fixedClock, type Overrides } from '../scoring/fixtures.js';
import { FakeAlertStore, FakeAppNotifier, RecordingScheduler } from './alert-fakes.js';

const appConfig = (alerts: Record<string, unknown> = {}) =>
  parseHubConfig({
    alerts: {
      defaultChannel: 'C0DEFAULT',
      testLeads: 'test-channel',
      testChannel: 'C0TEST',
      routes: [{ name: 'hot', match: { grades: ['A'] }, channel: 'C0HOT', mention: 'S0AES' }],
      sla: {
        escalation: { channel: 'C0ESC', mention: 'S0MGRS' },
        secondLevel: { afterMinutes: 10, mention: 'U0BOSS' },
      },
      ...alerts,
    },
  });

function appDeps(options: { failures?: number; now?: string; alerts?: Record<string, unknown> } = {}) {
  const notifier = new FakeAppNotifier(options.failures ?? 0);
  const scheduler = new RecordingScheduler();
  const metrics: SpeedMetrics & { calls: unknown[] } = {
    calls: [],
    recordStages(lead, stages) {
      this.calls.push({ lead, stages });
    },
  };
  const deps = baseDeps({
    store: new FakeAlertStore(),
    notifier,
    scheduler,
    metrics,
    clock: fixedClock(options.now ?? '2026-01-05T10:00:30.000Z'),
    config: appConfig(options.alerts),
  });
  return { deps, store: deps.store as unknown as FakeAlertStore, notifier, scheduler, metrics };
}

/** An A lead, stored for the notifier to read; its LeadScored detail. */
const hot = (deps: { store: unknown }, overrides: Overrides = {}) =>
  (deps.store as FakeAlertStore).addScored(overrides, { score: 88, grade: 'A' });
/** A B lead (the fixtures' default), stored; its LeadScored detail. */
const plain = (deps: { store: unknown }, overrides: Overrides = {}) =>
  (deps.store as FakeAlertStore).addScored(overrides);

describe('notifyLead in Slack app mode', () => {
  it('posts an A lead to its routed channel with the mention, Claim and Not a fit, and sets the SLA', async () => {
    const { deps, store, notifier, scheduler, metrics } = appDeps();
    const result = await notifyLead(deps, hot(deps));
    expect(result).toEqual({
      outcome: 'sent',
      channel: 'main',
      slackChannel: 'C0HOT',
      slaDueAt: '2026-01-05T10:05:00.000Z',
    });

    const [post] = notifier.posts;
    expect(post?.channel).toBe('C0HOT');
    expect(post?.text.startsWith('<!subteam^S0AES> New lead: Jane Smith')).toBe(true);
    const actions = post?.blocks.find((b) => (b as { type: string }).type === 'actions') as {
      elements: { action_id: string; value: string }[];
    };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      [ALERT_ACTIONS.claim, 'lead-1'],
      [ALERT_ACTIONS.notAFit, 'lead-1'],
    ]);

    const record = store.records.get('lead-1');
    expect(record).toMatchObject({
      status: 'sent',
      target: 'C0HOT',
      grade: 'A',
      score: 88,
      contactId: 'contact-1',
      messages: [{ channel: 'C0HOT', ts: '1767600000.000001', level: 0 }],
      sla: { minutes: 5, level: 0, dueAt: ['2026-01-05T10:05:00.000Z', '2026-01-05T10:15:00.000Z'] },
    });
    expect(record?.timings).toMatchObject({
      platformCreatedAt: '2026-01-05T10:00:00.000Z',
      scoredAt: '2026-01-05T10:00:03.000Z',
      alertedAt: '2026-01-05T10:00:30.000Z',
    });
    expect([...scheduler.armed.entries()].map(([name, v]) => [name, v.at.toISOString(), v.payload])).toEqual([
      ['sla-lead-1-1', '2026-01-05T10:05:00.000Z', { kind: 'sla', leadId: 'lead-1', level: 1 }],
      ['sla-lead-1-2', '2026-01-05T10:15:00.000Z', { kind: 'sla', leadId: 'lead-1', level: 2 }],
    ]);
    // The sent record (timings above) is the lead's alertedAt: no separate stamp is written.
    expect(store.stages).toEqual([]);
    expect(metrics.calls).toEqual([
      {
        lead: expect.objectContaining({ source: 'form', isTest: false }),
        stages: [
          { stage: 'received', ms: 1000 },
          { stage: 'captured', ms: 1000 },
          { stage: 'scored', ms: 1000 },
          { stage: 'alerted', ms: 27_000 },
          { stage: 'createdToAlerted', ms: 30_000 },
        ],
      },
    ]);
  });

  it('sends a lead no route matches to the default channel, without an SLA for grade B', async () => {
    const { deps, notifier, scheduler, store } = appDeps();
    const result = await notifyLead(deps, plain(deps));
    expect(result).toEqual({ outcome: 'sent', channel: 'main', slackChannel: 'C0DEFAULT' });
    expect(notifier.posts[0]?.channel).toBe('C0DEFAULT');
    expect(notifier.posts[0]?.text.startsWith('New lead:')).toBe(true);
    expect(scheduler.armed.size).toBe(0);
    expect(store.records.get('lead-1')?.sla).toBeUndefined();
  });

  it('sends a test lead to the test channel only, never with an SLA', async () => {
    const { deps, notifier, scheduler } = appDeps();
    const result = await notifyLead(deps, hot(deps, { isTest: true }));
    expect(result).toMatchObject({ outcome: 'sent', channel: 'test', slackChannel: 'C0TEST' });
    expect(notifier.posts.map((p) => p.channel)).toEqual(['C0TEST']);
    expect(notifier.posts[0]?.text).toMatch(/^\[TEST\] /);
    expect(scheduler.armed.size).toBe(0);
  });

  it('throws, naming alerts.defaultChannel, when no route matches and no default channel is set', async () => {
    const { deps, notifier, store } = appDeps({ alerts: { defaultChannel: undefined, routes: [] } });
    // Thrown, so the platform retries and then dead-letters the event: never a silent skip.
    await expect(notifyLead(deps, plain(deps))).rejects.toThrow(/alerts\.defaultChannel is not set/);
    expect(notifier.posts).toHaveLength(0);
    // Nothing recorded or claimed: a replay after the fix posts the alert.
    expect(store.completions).toEqual([]);
    expect(store.alerts.has('lead-1')).toBe(false);
  });

  it('throws, naming alerts.testChannel, when a test lead to route has no channel and no test webhook', async () => {
    const { deps, notifier } = appDeps({ alerts: { testChannel: undefined } });
    await expect(notifyLead(deps, hot(deps, { isTest: true }))).rejects.toThrow(
      /alerts\.testChannel is not set/,
    );
    expect(notifier.posts).toHaveLength(0);
  });

  it('gives reps at least a minute when the alert itself is late, moving both levels back together', async () => {
    const { deps, scheduler } = appDeps({ now: '2026-01-05T10:09:00.000Z' });
    const result = await notifyLead(deps, hot(deps));
    expect(result).toMatchObject({ slaDueAt: '2026-01-05T10:10:00.000Z' });
    expect([...scheduler.armed.values()].map((v) => v.at.toISOString())).toEqual([
      '2026-01-05T10:10:00.000Z',
      '2026-01-05T10:20:00.000Z',
    ]);
  });

  it('sets no SLA when SLAs are disabled or nothing can schedule', async () => {
    const disabled = appDeps({ alerts: { sla: { enabled: false } } });
    await notifyLead(disabled.deps, hot(disabled.deps));
    expect(disabled.scheduler.armed.size).toBe(0);
    expect(disabled.store.records.get('lead-1')?.sla).toBeUndefined();

    const noScheduler = appDeps();
    noScheduler.deps.scheduler = undefined;
    expect(await notifyLead(noScheduler.deps, hot(noScheduler.deps))).not.toHaveProperty('slaDueAt');
  });

  it('uses the form and grade SLA from the config', async () => {
    const { deps } = appDeps({
      alerts: { sla: { minutes: { A: 15, B: 60 }, forms: { contact: { B: 2 } } } },
    });
    expect(await notifyLead(deps, hot(deps))).toMatchObject({ slaDueAt: '2026-01-05T10:15:00.000Z' });
    const form = appDeps({ alerts: { sla: { minutes: { A: 15, B: 60 }, forms: { contact: { B: 2 } } } } });
    const lead = plain(form.deps, { attribution: { formId: 'contact' } });
    expect(await notifyLead(form.deps, lead)).toMatchObject({ slaDueAt: '2026-01-05T10:02:00.000Z' });
  });
});

describe('notifyLead in Slack app mode: exactly once', () => {
  it('posts once and schedules once under 10 concurrent deliveries and later redeliveries', async () => {
    const { deps, notifier, scheduler } = appDeps();
    const schedule = vi.spyOn(scheduler, 'schedule');
    const lead = hot(deps);
    const concurrent = await Promise.allSettled(Array.from({ length: 10 }, () => notifyLead(deps, lead)));
    // The twins that met the claim mid-send are retried by the platform; later ones are duplicates.
    expect(concurrent.filter((r) => r.status === 'rejected')).toHaveLength(9);
    const results = concurrent.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    for (let i = 0; i < 3; i++) results.push(await notifyLead(deps, lead));
    expect(notifier.posts).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'sent')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(3);
    expect(schedule).toHaveBeenCalledTimes(2);
  });

  it('marks a rate-limited post failed and rethrows; the retry posts once', async () => {
    const { deps, notifier, store } = appDeps({ failures: 1 });
    await expect(notifyLead(deps, hot(deps))).rejects.toThrow(/rate limited/);
    expect(store.alerts.get('lead-1')?.status).toBe('failed');
    expect(store.records.get('lead-1')).toBeUndefined();
    await expect(notifyLead(deps, hot(deps))).resolves.toMatchObject({ outcome: 'sent' });
    await expect(notifyLead(deps, hot(deps))).resolves.toMatchObject({ outcome: 'duplicate' });
    expect(notifier.posts).toHaveLength(1);
  });

  it('keeps the alert sent when the SLA timer cannot be set (the store still holds the pending SLA)', async () => {
    const { deps, store, scheduler } = appDeps();
    scheduler.schedule = async () => {
      throw new Error('scheduler down');
    };
    await expect(notifyLead(deps, hot(deps))).resolves.toMatchObject({ outcome: 'sent' });
    expect(await store.listPendingSlas()).toEqual([
      { leadId: 'lead-1', level: 1, dueAt: '2026-01-05T10:05:00.000Z' },
    ]);
  });
});
