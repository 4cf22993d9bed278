import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseHubConfig } from '../../../lib/config.js';
import { createSlackNotifier } from '../../../lib/handlers/slack-notifier.js';
import {
  alertLeadFromStored,
  buildAlertMessage,
  escapeMrkdwn,
  formatWaiting,
  minutesWaiting,
  SLACK_LIMITS,
  truncate,
} from '../../../lib/pipeline/alert-message.js';
import { LeadNotStoredError } from '../../../lib/pipeline/event-lead.js';
import { AlertInFlightError, notifyLead } from '../../../lib/pipeline/notify.js';
import {
  alertLead,
  fakeDeps as baseDeps,
  FakeNotifier,
  fakeLogger,
  fixedClock,
  scoredLead,
  scoredStoredLead,
  storedLead,
} from '../scoring/fixtures.js';
import { FakeAlertStore, FakeAppNotifier } from './alert-fakes.js';

function slackEvent(detail: unknown): EventBridgeEvent<'LeadScored', unknown> {
  return {
    version: '0',
    id: 'evt-9',
    'detail-type': 'LeadScored',
    source: 'leadhub',
    account: '123456789012',
    time: '2026-01-05T10:00:03Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

/** fakeDeps with the alert-aware store. */
function fakeDeps(overrides: Parameters<typeof baseDeps>[0] = {}) {
  return baseDeps({ store: new FakeAlertStore(), ...overrides }) as ReturnType<typeof baseDeps> & {
    store: FakeAlertStore;
  };
}

function withAlerts(testLeads: 'skip' | 'test-channel', overrides: Parameters<typeof baseDeps>[0] = {}) {
  const deps = fakeDeps(overrides);
  deps.config = parseHubConfig({ alerts: { testLeads } });
  return deps;
}

describe('notifyLead: exactly once', () => {
  it('posts once under redelivery', async () => {
    const notifier = new FakeNotifier();
    const deps = fakeDeps({ notifier });
    const lead = deps.store.addScored();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await notifyLead(deps, lead));
    expect(notifier.posts).toHaveLength(1);
    expect(results).toEqual([
      { outcome: 'sent', channel: 'main' },
      { outcome: 'duplicate', status: 'sent' },
      { outcome: 'duplicate', status: 'sent' },
    ]);
    expect(deps.store.alerts.get('lead-1')?.status).toBe('sent');
  });

  it('posts once under 10 concurrent deliveries; the twins are told to retry, then are duplicates', async () => {
    const notifier = new FakeNotifier();
    const deps = fakeDeps({ notifier });
    const lead = deps.store.addScored();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => notifyLead(deps, lead)));
    expect(notifier.posts).toHaveLength(1);
    expect(results.filter((r) => r.status === 'fulfilled' && r.value.outcome === 'sent')).toHaveLength(1);
    // While the first one posts, the others cannot know whether it will succeed: they must come back.
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(9);
    for (const r of rejected) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AlertInFlightError);
    await expect(notifyLead(deps, lead)).resolves.toEqual({ outcome: 'duplicate', status: 'sent' });
    expect(notifier.posts).toHaveLength(1);
    expect(deps.store.completions).toEqual([{ leadId: 'lead-1', status: 'sent', detail: 'main' }]);
  });

  it('does not drop an alert whose claim holder never finished: the delivery is retried, not done', async () => {
    const notifier = new FakeNotifier();
    const deps = fakeDeps({ notifier });
    const lead = deps.store.addScored();
    // A sender that claimed the alert and died (or whose claim write timed out after it landed).
    await deps.store.claimAlert('lead-1', '2026-01-05T10:00:00.000Z');
    await expect(notifyLead(deps, lead)).rejects.toBeInstanceOf(AlertInFlightError);
    expect(notifier.posts).toHaveLength(0);
    // Once the claim is released (or its lease runs out in the real store), the retry sends it.
    await deps.store.completeAlert('lead-1', { status: 'failed', at: '2026-01-05T10:01:00.000Z' });
    await expect(notifyLead(deps, lead)).resolves.toEqual({ outcome: 'sent', channel: 'main' });
    expect(notifier.posts).toHaveLength(1);
  });

  it('alerts each lead separately', async () => {
    const notifier = new FakeNotifier();
    const deps = fakeDeps({ notifier });
    await Promise.all([
      notifyLead(deps, deps.store.addScored({ leadId: 'a' })),
      notifyLead(deps, deps.store.addScored({ leadId: 'b' })),
    ]);
    expect(notifier.posts).toHaveLength(2);
  });

  it('marks a failed post failed and rethrows; the retry claims again and sends once', async () => {
    const notifier = new FakeNotifier(1);
    const log = fakeLogger();
    const deps = fakeDeps({ notifier, logger: log.logger });
    const lead = deps.store.addScored();
    await expect(notifyLead(deps, lead)).rejects.toThrow('503');
    expect(deps.store.alerts.get('lead-1')).toMatchObject({
      status: 'failed',
      detail: 'Error 503: Slack webhook responded 503',
    });
    expect(notifier.posts).toHaveLength(0);

    await expect(notifyLead(deps, lead)).resolves.toEqual({ outcome: 'sent', channel: 'main' });
    await expect(notifyLead(deps, lead)).resolves.toEqual({ outcome: 'duplicate', status: 'sent' });
    expect(notifier.posts).toHaveLength(1);
    expect(deps.store.completions.map((c) => c.status)).toEqual(['failed', 'sent']);
    expect(log.text()).not.toContain('jane.smith@acme-widgets.com');
  });

  it('after a failure, concurrent retries still send once', async () => {
    const notifier = new FakeNotifier(1);
    const deps = fakeDeps({ notifier });
    const lead = deps.store.addScored();
    await expect(notifyLead(deps, lead)).rejects.toThrow();
    await Promise.allSettled(Array.from({ length: 10 }, () => notifyLead(deps, lead)));
    expect(notifier.posts).toHaveLength(1);
  });
});

describe('notifyLead: the person from the store', () => {
  it('reads the lead once and posts the card the stored lead and its score make', async () => {
    const notifier = new FakeNotifier();
    const deps = fakeDeps({ notifier });
    const jane = {
      contact: { email: 'jane@acme-widgets.com', fullName: 'Jane Smith', company: 'Acme', country: 'GB' },
      answers: [{ key: 'budget', label: 'Budget', values: ['50k+'] }],
      attribution: {
        landingUrl: 'https://www.example.com/?email=jane%40acme-widgets.com',
        campaignName: 'Spring',
      },
    };
    const result = await notifyLead(deps, deps.store.addScored(jane));
    expect(result).toEqual({ outcome: 'sent', channel: 'main' });
    expect(deps.store.leadReads).toEqual([
      { leadId: 'lead-1', contactId: 'contact-1', platformCreatedAt: '2026-01-05T10:00:00.000Z' },
    ]);
    const card = alertLeadFromStored(scoredStoredLead(jane));
    if (!card) throw new Error('no card');
    expect(notifier.posts).toEqual([buildAlertMessage(card, deps.clock.now())]);
    const text = JSON.stringify(notifier.posts[0]);
    for (const shown of [
      'Jane Smith',
      'Acme',
      'jane@acme-widgets.com',
      '50k+',
      'Email: corporate (acme-widgets.com)',
    ]) {
      expect(text).toContain(shown);
    }
    expect(text).not.toContain('www.example.com');
  });

  it('routes on the stored country and answers, which the event does not carry', async () => {
    const notifier = new FakeAppNotifier();
    const deps = fakeDeps({
      notifier,
      config: parseHubConfig({
        alerts: {
          defaultChannel: 'C0DEFAULT',
          routes: [
            {
              match: { countries: ['DE'], answers: [{ key: 'budget', values: ['50k+'] }] },
              channel: 'C0DACH',
            },
          ],
        },
      }),
    });
    const lead = deps.store.addScored({
      contact: { email: 'a@b.de', country: 'DE' },
      answers: [{ key: 'budget', values: ['50k+'] }],
    });
    expect(await notifyLead(deps, lead)).toMatchObject({ outcome: 'sent', slackChannel: 'C0DACH' });
  });

  it.each([
    ['erased', 'erased'],
    ['deleted on its platform', 'deleted_on_platform'],
  ] as const)(
    'skips a lead %s before its alert: no post, no alert record, no retry',
    async (_name, reason) => {
      const notifier = new FakeNotifier();
      const deps = fakeDeps({ notifier });
      const lead = scoredLead();
      deps.store.addLead({ ...storedLead(), deletedAt: '2026-01-05T10:05:00.000Z', deletedReason: reason });
      await expect(notifyLead(deps, lead)).resolves.toEqual({ outcome: 'skipped', reason: 'lead-deleted' });
      await expect(createSlackNotifier(deps)(slackEvent(lead))).resolves.toBeUndefined();
      expect(notifier.posts).toEqual([]);
      expect(deps.store.alerts.size).toBe(0);
    },
  );

  it('throws for a lead the store does not hold, so the bus retries, and posts nothing', async () => {
    const notifier = new FakeNotifier();
    const deps = fakeDeps({ notifier });
    await expect(notifyLead(deps, scoredLead())).rejects.toBeInstanceOf(LeadNotStoredError);
    expect(notifier.posts).toEqual([]);
    expect(deps.store.alerts.size).toBe(0);
  });
});

describe('notifyLead: routing', () => {
  it('never sends a test lead to the main channel; with testLeads=skip it is skipped', async () => {
    const notifier = new FakeNotifier();
    const testNotifier = new FakeNotifier();
    const deps = withAlerts('skip', { notifier, testNotifier });
    const result = await notifyLead(deps, deps.store.addScored({ isTest: true }));
    expect(result).toEqual({ outcome: 'skipped', reason: 'test-lead' });
    expect(notifier.posts).toHaveLength(0);
    expect(testNotifier.posts).toHaveLength(0);
    expect(deps.store.completions).toEqual([{ leadId: 'lead-1', status: 'skipped', detail: 'test-lead' }]);
  });

  it('routes a test lead to the test channel when configured', async () => {
    const notifier = new FakeNotifier();
    const testNotifier = new FakeNotifier();
    const deps = withAlerts('test-channel', { notifier, testNotifier });
    const result = await notifyLead(deps, deps.store.addScored({ isTest: true }));
    expect(result).toEqual({ outcome: 'sent', channel: 'test' });
    expect(notifier.posts).toHaveLength(0);
    expect(testNotifier.posts).toHaveLength(1);
    expect(testNotifier.posts[0]?.text).toContain('[TEST]');
  });

  it('skips a test lead when the test channel is configured but has no notifier', async () => {
    const notifier = new FakeNotifier();
    const deps = withAlerts('test-channel', { notifier });
    expect(await notifyLead(deps, deps.store.addScored({ isTest: true }))).toEqual({
      outcome: 'skipped',
      reason: 'test-lead',
    });
    expect(notifier.posts).toHaveLength(0);
  });

  it('sends a real lead to the main channel even when a test notifier exists', async () => {
    const notifier = new FakeNotifier();
    const testNotifier = new FakeNotifier();
    const deps = withAlerts('test-channel', { notifier, testNotifier });
    await notifyLead(deps, deps.store.addScored());
    expect(notifier.posts).toHaveLength(1);
    expect(testNotifier.posts).toHaveLength(0);
  });

  it('skips (and records it) when no notifier is configured', async () => {
    const deps = fakeDeps();
    expect(await notifyLead(deps, deps.store.addScored())).toEqual({
      outcome: 'skipped',
      reason: 'not-configured',
    });
    expect(deps.store.alerts.get('lead-1')?.status).toBe('skipped');
  });
});

describe('createSlackNotifier', () => {
  const event = slackEvent;

  it('posts the alert for a valid LeadScored event', async () => {
    const notifier = new FakeNotifier();
    const deps = fakeDeps({ notifier });
    await createSlackNotifier(deps)(event(deps.store.addScored()));
    expect(notifier.posts).toHaveLength(1);
  });

  it('throws on a transient failure so the platform retries', async () => {
    const notifier = new FakeNotifier(1);
    const deps = fakeDeps({ notifier });
    const handler = createSlackNotifier(deps);
    const lead = deps.store.addScored();
    await expect(handler(event(lead))).rejects.toThrow('503');
    await expect(handler(event(lead))).resolves.toBeUndefined();
    expect(notifier.posts).toHaveLength(1);
  });

  it('rejects an off-contract event without posting, logging the event id and no PII', async () => {
    const notifier = new FakeNotifier();
    const log = fakeLogger();
    const handler = createSlackNotifier(fakeDeps({ notifier, logger: log.logger }));
    await expect(handler(event({ ...scoredLead(), score: 140 }))).rejects.toThrow(/contract/);
    expect(notifier.posts).toHaveLength(0);
    expect(log.text()).toContain('evt-9');
    expect(log.text()).not.toContain('jane.smith@acme-widgets.com');
  });
});

describe('buildAlertMessage', () => {
  const now = new Date('2026-01-05T10:07:30.000Z');
  const lead = alertLead({
    source: 'meta',
    contact: {
      email: 'jane.smith@acme-widgets.com',
      phone: '+447400123456',
      fullName: 'Jane Smith',
      company: 'Acme Widgets',
      jobTitle: 'CEO',
      city: 'London',
      country: 'GB',
    },
    answers: [
      { key: 'budget', label: 'What is your budget?', values: ['50k-100k'] },
      { key: 'interests', values: ['Analytics', 'Reporting'] },
    ],
    attribution: {
      source: 'meta',
      campaignName: 'Spring Promo',
      adName: 'Video A',
      adId: '120210000000000001',
      formId: '987654321987654321',
    },
  });
  const all = (m: { text: string; blocks: unknown[] }) => JSON.stringify(m);

  it('says who, what they asked, score with top reasons, origin and minutes waiting', () => {
    const message = buildAlertMessage(lead, now);
    const text = all(message);
    for (const expected of [
      'Jane Smith',
      'Acme Widgets',
      'CEO',
      'jane.smith@acme-widgets.com',
      '+447400123456',
      'London, GB',
      '*What is your budget?*: 50k-100k',
      '*interests*: Analytics, Reporting',
      'Score 72/100 · Grade B',
      'sales_development',
      '+25 Executive or owner job title',
      'Source: *meta*',
      'Campaign: Spring Promo',
      'Ad: Video A',
      'Form: 987654321987654321',
      'Waiting *7 min*',
    ]) {
      expect(text).toContain(expected);
    }
    // Top three reasons by weight: the 5-point one is left out.
    expect(text).not.toContain('Full name given');
    expect(message.text).toBe('New lead: Jane Smith, Acme Widgets (score 72, B), waiting 7 min');
    expect((message.blocks[0] as { type: string }).type).toBe('header');
  });

  it('escapes &, < and > in user text so a lead cannot inject mentions or links', () => {
    const evil = alertLead({
      contact: { fullName: '<!channel> Bob & Co', company: '<https://evil.example|Click me>' },
      answers: [{ key: 'q', values: ['<@U123> hi <!here>'] }],
      attribution: { campaignName: 'A<B>' },
    });
    const message = buildAlertMessage(evil, now);
    const text = all(message);
    expect(text).not.toMatch(/<!channel>|<!here>|<@U123>|<https:/);
    expect(text).toContain('&lt;!channel&gt; Bob &amp; Co');
    expect(text).toContain('&lt;https://evil.example|Click me&gt;');
    expect(text).toContain('&lt;@U123&gt; hi &lt;!here&gt;');
    expect(text).toContain('A&lt;B&gt;');
    expect(message.text).toContain('&lt;!channel&gt;');
  });

  it('keeps every text inside Block Kit limits and says how many answers were left out', () => {
    const long = 'x'.repeat(5000);
    const many = alertLead({
      contact: { fullName: long, company: long, jobTitle: '&'.repeat(3000) },
      answers: Array.from({ length: 80 }, (_, i) => ({
        key: `question_${i}`,
        label: `Q${i} ${'?'.repeat(50)}`,
        values: [long],
      })),
    });
    const message = buildAlertMessage(many, now);
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    const texts: { type: string; text: string; max: number }[] = [];
    for (const block of message.blocks as Record<string, unknown>[]) {
      if (block.type === 'header')
        texts.push({ ...(block.text as { type: string; text: string }), max: 150 });
      if (block.type === 'section') {
        if (block.text) texts.push({ ...(block.text as { type: string; text: string }), max: 3000 });
        for (const f of (block.fields as { type: string; text: string }[] | undefined) ?? []) {
          texts.push({ ...f, max: 2000 });
        }
        expect(((block.fields as unknown[]) ?? []).length).toBeLessThanOrEqual(10);
      }
      if (block.type === 'context') {
        for (const e of block.elements as { type: string; text: string }[]) texts.push({ ...e, max: 2000 });
      }
    }
    for (const t of texts) {
      expect(t.text.length).toBeLessThanOrEqual(t.max);
      // No entity cut in half.
      expect(t.text).not.toMatch(/&(a|am|l|g|lt|gt)?…/);
    }
    expect(all(message)).toMatch(/…and \d+ more answers/);
    expect(all(message)).toContain('Q0');
    expect(message.text.length).toBeLessThanOrEqual(3000);
  });

  it('omits missing fields and the answers block when there are none', () => {
    const bare = alertLead({ contact: { email: 'a@b.co' }, answers: [] });
    const message = buildAlertMessage(bare, now);
    expect(all(message)).not.toContain('What they asked');
    expect(all(message)).not.toContain('Company');
    expect(all(message)).toContain('New lead: a@b.co');
  });

  it('marks test leads', () => {
    expect(buildAlertMessage(alertLead({ isTest: true }), now).text).toMatch(/^\[TEST\] /);
  });
});

describe('message helpers', () => {
  it('minutesWaiting counts whole minutes since the platform created the lead, never negative', () => {
    const created = '2026-01-05T10:00:00.000Z';
    expect(minutesWaiting(created, new Date('2026-01-05T10:00:59.000Z'))).toBe(0);
    expect(minutesWaiting(created, new Date('2026-01-05T10:01:00.000Z'))).toBe(1);
    expect(minutesWaiting(created, new Date('2026-01-05T12:30:00.000Z'))).toBe(150);
    expect(minutesWaiting(created, new Date('2026-01-05T09:58:00.000Z'))).toBe(0);
    expect(minutesWaiting('2026-01-05T10:00:00+02:00', new Date('2026-01-05T08:05:00.000Z'))).toBe(5);
  });

  it('formatWaiting reads well at every scale', () => {
    expect(formatWaiting(0)).toBe('under 1 min');
    expect(formatWaiting(42)).toBe('42 min');
    expect(formatWaiting(150)).toBe('2 h 30 min');
    expect(formatWaiting(60 * 50)).toBe('2 d 2 h');
  });

  it('escapeMrkdwn escapes & first so entities are not double-escaped wrongly', () => {
    expect(escapeMrkdwn('a & <b> &lt;')).toBe('a &amp; &lt;b&gt; &amp;lt;');
  });

  it('truncate never splits an entity or a surrogate pair', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('ab&amp;cd', 5)).toBe('ab…');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
  });

  it('uses the clock passed in', () => {
    const m = buildAlertMessage(alertLead(), fixedClock('2026-01-05T11:00:00.000Z').now());
    expect(m.text).toContain('waiting 1 h 0 min');
  });
});
