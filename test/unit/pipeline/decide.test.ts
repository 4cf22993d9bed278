import { describe, expect, it } from 'vitest';
import { LeadClaimedV2Schema, LeadDisqualifiedV2Schema } from '../../../events/contracts.js';
import { parseHubConfig } from '../../../lib/config.js';
import { decideLead, takenText } from '../../../lib/pipeline/decide.js';
import { notifyLead } from '../../../lib/pipeline/notify.js';
import { fixedClock } from '../../support/fakes.js';
import { fakeDeps as baseDeps } from '../scoring/fixtures.js';
import { FakeAlertStore, FakeAppNotifier, RecordingScheduler } from './alert-fakes.js';

/** Attribution that identifies the click: stored with the lead, never published. */
const CLICK = {
  landingUrl: 'https://www.example.com/demo?email=jane.smith%40acme-widgets.com',
  referrer: 'https://search.example/?q=jane+smith',
  clickIds: { gclid: 'gclid-of-jane' },
  campaignName: 'Spring',
};

/** An A lead alerted at 10:00:30 in Slack app mode, its SLA timers set; the clock then moves to `at`. */
async function alerted(at = '2026-01-05T10:03:00.000Z') {
  const notifier = new FakeAppNotifier();
  const scheduler = new RecordingScheduler();
  const clock = fixedClock('2026-01-05T10:00:30.000Z');
  const deps = baseDeps({
    store: new FakeAlertStore(),
    notifier,
    scheduler,
    clock,
    config: parseHubConfig({
      alerts: { defaultChannel: 'C0SALES', sla: { secondLevel: { afterMinutes: 10 } } },
    }),
  });
  const store = deps.store as unknown as FakeAlertStore;
  const lead = store.addScored({ attribution: CLICK }, { score: 90, grade: 'A' });
  await notifyLead(deps, lead);
  clock.set(at);
  return { deps, store, notifier, scheduler, bus: deps.bus };
}

const claim = (userId: string) => ({
  leadId: 'lead-1',
  outcome: 'claimed' as const,
  userId,
  channel: 'C0SALES',
  responseUrl: 'https://hooks.slack.com/actions/T1/1/abc',
});

describe('decideLead: two reps, one lead', () => {
  it('lets exactly one of two simultaneous claims win; the other is told who has it', async () => {
    const { deps, bus, notifier } = await alerted();
    const results = await Promise.all([decideLead(deps, claim('U0ALICE')), decideLead(deps, claim('U0BOB'))]);
    const won = results.filter((r) => r.result === 'won');
    const taken = results.filter((r) => r.result === 'taken');
    expect(won).toHaveLength(1);
    expect(taken).toHaveLength(1);
    const winner = results[0]?.result === 'won' ? 'U0ALICE' : 'U0BOB';
    const loser = winner === 'U0ALICE' ? 'U0BOB' : 'U0ALICE';
    expect(taken[0]).toEqual({ result: 'taken', outcome: 'claimed', by: winner });

    expect(notifier.ephemeral).toEqual([
      {
        to: { userId: loser, channel: 'C0SALES', responseUrl: 'https://hooks.slack.com/actions/T1/1/abc' },
        text: `<@${winner}> already claimed this lead under 1 min ago.`,
      },
    ]);
    const claimed = bus.published.filter((e) => e.detailType === 'LeadClaimed');
    expect(claimed).toHaveLength(1);
    expect(claimed[0]?.detail).toMatchObject({ claimedBy: { slackUserId: winner } });
  });

  it('lets one of ten concurrent clicks win, whatever the buttons', async () => {
    const { deps, bus } = await alerted();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        decideLead(deps, { ...claim(`U0REP${i}`), outcome: i % 2 ? 'claimed' : 'disqualified' }),
      ),
    );
    expect(results.filter((r) => r.result === 'won')).toHaveLength(1);
    expect(bus.published.filter((e) => e.detailType !== 'LeadScored')).toHaveLength(1);
  });
});

describe('decideLead: the winner', () => {
  it('cancels both SLA timers, updates the card in place and publishes LeadClaimed with the clock', async () => {
    const { deps, store, notifier, scheduler, bus } = await alerted('2026-01-05T10:03:00.000Z');
    expect(await decideLead(deps, claim('U0ALICE'))).toEqual({ result: 'won', outcome: 'claimed' });

    expect(scheduler.cancelled).toEqual(['sla-lead-1-1', 'sla-lead-1-2']);
    expect(await store.listPendingSlas()).toEqual([]);

    expect(notifier.updates).toHaveLength(1);
    const update = notifier.updates[0];
    expect(update?.ref).toEqual({ channel: 'C0SALES', ts: '1767600000.000001', level: 0 });
    const blocks = JSON.stringify(update?.message.blocks);
    expect(blocks).toContain('Claimed by <@U0ALICE> after 3 min');
    expect(blocks).not.toContain('"actions"');
    expect(update?.message.text).toMatch(/^Claimed after 3 min: Jane Smith/);

    const [event] = bus.published;
    expect(event?.detailType).toBe('LeadClaimed');
    const detail = LeadClaimedV2Schema.parse(event?.detail);
    expect(detail).toMatchObject({
      leadId: 'lead-1',
      contactId: 'contact-1',
      grade: 'A',
      score: 90,
      claimedAt: '2026-01-05T10:03:00.000Z',
      secondsToClaim: 180,
      timings: {
        platformCreatedAt: '2026-01-05T10:00:00.000Z',
        alertedAt: '2026-01-05T10:00:30.000Z',
        claimedAt: '2026-01-05T10:03:00.000Z',
      },
    });
    expect(JSON.stringify(detail)).not.toMatch(/jane|example|gclid/);
    expect(detail.attribution).toEqual({ source: 'form', campaignName: 'Spring', utm: {} });
    expect(store.stages.map((s) => s.stage)).toEqual(['claimedAt']);
    expect(store.records.get('lead-1')?.decisionPublishedAt).toBeDefined();
  });

  it('publishes LeadDisqualified for Not a fit, and the card says so', async () => {
    const { deps, notifier, bus, store } = await alerted();
    await decideLead(deps, { ...claim('U0BOB'), outcome: 'disqualified' });
    expect(JSON.stringify(notifier.updates[0]?.message.blocks)).toContain('Marked not a fit by <@U0BOB>');
    const detail = LeadDisqualifiedV2Schema.parse(bus.published[0]?.detail);
    expect(detail).toMatchObject({ reason: 'not_a_fit', disqualifiedBy: { slackUserId: 'U0BOB' } });
    expect(detail.timings.claimedAt).toBeUndefined();
    expect(store.stages).toEqual([]);
  });

  it('tells the winner clicking again what they did, without publishing again', async () => {
    const { deps, bus, notifier } = await alerted();
    await decideLead(deps, claim('U0ALICE'));
    expect(await decideLead(deps, claim('U0ALICE'))).toEqual({ result: 'repeat', outcome: 'claimed' });
    expect(bus.published).toHaveLength(1);
    expect(await decideLead(deps, { ...claim('U0ALICE'), outcome: 'disqualified' })).toMatchObject({
      result: 'taken',
    });
    expect(notifier.ephemeral.at(-1)?.text).toBe('You already claimed this lead under 1 min ago.');
  });

  it('throws when the event cannot be published; the repeat click publishes it', async () => {
    const { deps, bus } = await alerted();
    bus.fail = true;
    await expect(decideLead(deps, claim('U0ALICE'))).rejects.toThrow('bus unavailable');
    bus.fail = false;
    expect(await decideLead(deps, claim('U0ALICE'))).toEqual({ result: 'repeat', outcome: 'claimed' });
    expect(bus.published.map((e) => e.detailType)).toEqual(['LeadClaimed']);
  });

  it('answers a click on an unknown lead without writing anything', async () => {
    const { deps, notifier, bus } = await alerted();
    expect(await decideLead(deps, { ...claim('U0ALICE'), leadId: 'nope' })).toEqual({
      result: 'unknown-lead',
    });
    expect(notifier.ephemeral[0]?.text).toContain('no alert for this lead');
    expect(bus.published).toHaveLength(0);
  });
});

describe('takenText', () => {
  it('never turns a malformed user id into markup', () => {
    const alert = {
      leadId: 'l',
      status: 'sent',
      messages: [],
      outcome: 'claimed' as const,
      outcomeBy: '<!channel>',
      outcomeAt: '2026-01-05T10:00:00.000Z',
    };
    expect(takenText(alert, 'U0X', new Date('2026-01-05T10:12:00.000Z'))).toBe(
      '&lt;!channel&gt; already claimed this lead 12 min ago.',
    );
  });
});
