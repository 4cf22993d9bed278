import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createEnrichWorker } from '../../lib/handlers/enrich-worker.js';
import { createSlackNotifier } from '../../lib/handlers/slack-notifier.js';
import type { RawLead } from '../../lib/lead/model.js';
import { alertLeadFromStored, buildAlertMessage } from '../../lib/pipeline/alert-message.js';
import { capture } from '../../lib/pipeline/capture.js';
import { ingest } from '../../lib/pipeline/ingest.js';
import { erasePerson } from '../../lib/pipeline/privacy.js';
import type { BusEvent, Notifier, SlackMessage } from '../../lib/ports.js';
import { fakeDeps, fixedClock, recordingBus, sqsEvent, testConfig } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

/** Every personal value of one submission, each distinctive enough to be found wherever it lands. */
const JANE = {
  email: 'Jane.Quinlan@Acme-Rockets.io',
  phone: '+1 415 555 2671',
  fullName: 'Jane Quinlan-Doe',
  company: 'Acme Rockets Intl',
  jobTitle: 'VP Revenue Operations',
  city: 'Springfieldia',
  postalCode: 'ZX9 8QW',
  answer: 'We need forty seats by March',
  landingUrl: 'https://www.example.com/demo?email=jane.quinlan%40acme-rockets.io&utm_medium=cpc',
  referrer: 'https://search.example/?q=jane+quinlan+rockets',
  gclid: 'Cj0KCQsecretclick',
  fbclid: 'IwARsecretclick',
  ip: '198.51.100.23',
  userAgent: 'JaneBrowser/7.1',
};

/** What must never appear in an event: the values above, as typed and as the hub normalises them. */
const PERSONAL_VALUES = [
  'quinlan',
  'acme-rockets',
  '4155552671',
  'Acme Rockets',
  'Revenue Operations',
  JANE.city,
  JANE.postalCode,
  JANE.answer,
  'www.example.com/demo',
  'search.example',
  JANE.gclid,
  JANE.fbclid,
  JANE.ip,
  JANE.userAgent,
];

function janeLead(id: string): RawLead {
  return {
    source: 'form',
    platformLeadId: id,
    platformCreatedAt: '2026-11-30T09:59:00.000Z',
    email: JANE.email,
    phone: JANE.phone,
    fullName: JANE.fullName,
    company: JANE.company,
    jobTitle: JANE.jobTitle,
    city: JANE.city,
    postalCode: JANE.postalCode,
    country: 'US',
    answers: [{ key: 'needs', label: 'What do you need?', values: [JANE.answer] }],
    attribution: {
      source: 'form',
      formId: 'contact',
      formName: 'Contact sales',
      utm: { source: 'google', medium: 'cpc', campaign: 'q4-launch' },
      landingUrl: JANE.landingUrl,
      referrer: JANE.referrer,
      clickIds: { gclid: JANE.gclid, fbclid: JANE.fbclid },
    },
    consents: [
      {
        purpose: 'marketing_email',
        key: 'news',
        noticeText: 'Send me news',
        noticeVersion: 'v1',
        granted: true,
        method: 'web_checkbox',
      },
    ],
    context: { ip: JANE.ip, userAgent: JANE.userAgent },
  };
}

/** A webhook-style notifier that keeps what it posts. */
function recordingNotifier(): Notifier & { posts: SlackMessage[] } {
  const posts: SlackMessage[] = [];
  return { posts, post: async (message) => void posts.push(message) };
}

/** The EventBridge event the bus delivers, as the enrich queue's record body or the notifier's input. */
function envelope(event: BusEvent) {
  return {
    version: '0',
    id: `evt-${event.detailType}`,
    'detail-type': event.detailType,
    source: 'leadhub',
    account: '000000000000',
    time: '2026-11-30T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: event.detail,
  };
}

async function setup() {
  const { store, receiptStore } = await freshStore();
  const bus = recordingBus();
  const clock = fixedClock('2026-11-30T10:00:00.000Z');
  const notifier = recordingNotifier();
  const deps = fakeDeps({
    store,
    receipts: receiptStore,
    bus,
    clock,
    notifier,
    config: testConfig({ forms: { contact: {} } }),
  });
  const enrichWorker = createEnrichWorker(deps);
  const slackNotifier = createSlackNotifier(deps);
  const eventsOf = (type: string) => bus.events.filter((e) => e.detailType === type);
  /** Takes a submission through capture; the rules deliver LeadCaptured to enrich, LeadScored to Slack. */
  const submit = async (lead: RawLead) => {
    await ingest(deps, { source: 'form', platformLeadId: lead.platformLeadId, payload: lead });
    const outcome = await capture(deps, { source: 'form', platformLeadId: lead.platformLeadId });
    if (outcome.status !== 'captured') throw new Error(`not captured: ${outcome.status}`);
    return outcome;
  };
  const enrich = async (event: BusEvent) => enrichWorker(sqsEvent([JSON.stringify(envelope(event))]));
  const notify = async (event: BusEvent) =>
    slackNotifier(envelope(event) as EventBridgeEvent<'LeadScored', unknown>);
  return { deps, store, bus, clock, notifier, eventsOf, submit, enrich, notify };
}

describe('lead events carry ids, the consumers read the person from the store', () => {
  it('publishes no personal value in any event, from capture to the alert and the erasure', async () => {
    const t = await setup();
    const { leadId } = await t.submit(janeLead('j1'));
    const [captured] = t.eventsOf('LeadCaptured');
    if (!captured) throw new Error('no LeadCaptured');
    expect(await t.enrich(captured)).toEqual({ batchItemFailures: [] });
    const [scored] = t.eventsOf('LeadScored');
    if (!scored) throw new Error('no LeadScored');
    await t.notify(scored);
    expect(t.notifier.posts).toHaveLength(1);
    await erasePerson(t.deps, { email: JANE.email }, { by: 'test-runner', requestId: 'req-erase' });

    expect(t.bus.events.map((e) => e.detailType)).toEqual(['LeadCaptured', 'LeadScored', 'ContactErased']);
    for (const event of t.bus.events) {
      expect(event.detail).toMatchObject({ version: expect.any(String) });
      const json = JSON.stringify(envelope(event)).toLowerCase();
      for (const value of PERSONAL_VALUES) {
        expect(json, `${event.detailType} carries ${value}`).not.toContain(value.toLowerCase());
      }
    }
    expect(captured.detail).toMatchObject({ leadId, attribution: { formId: 'contact' } });
    // The Slack card, outside the hub, does show the person: it is read from the store.
    const card = JSON.stringify(t.notifier.posts[0]);
    for (const shown of [
      JANE.fullName,
      JANE.company,
      JANE.jobTitle,
      'jane.quinlan@acme-rockets.io',
      JANE.answer,
    ]) {
      expect(card).toContain(shown);
    }
  });

  it('scores and alerts from the store exactly as from the whole lead', async () => {
    const t = await setup();
    const { leadId } = await t.submit(janeLead('j2'));
    await t.enrich(t.eventsOf('LeadCaptured')[0] as BusEvent);
    const scored = t.eventsOf('LeadScored')[0] as BusEvent;
    await t.notify(scored);

    // VP title 20, corporate email 15, company 10, US 10, paid campaign 10, phone 5, name 5, title 5.
    const stored = await t.store.getLead(leadId);
    expect(stored?.scoring).toMatchObject({
      score: 80,
      grade: 'B',
      stage: 'sales_development',
      enrichment: {
        emailDomain: 'acme-rockets.io',
        emailType: 'corporate',
        companyDomain: 'acme-rockets.io',
        phoneCountry: 'US',
      },
    });
    expect(stored?.scoring?.breakdown.reasons.map((r) => r.rule)).toEqual([
      'seniority-vp-director',
      'corporate-email',
      'company-present',
      'target-country',
      'paid-campaign',
      'has-phone',
      'has-name',
      'has-job-title',
    ]);
    expect(scored.detail).toMatchObject({ leadId, score: 80, grade: 'B', stage: 'sales_development' });

    // The card the notifier posted is the card of the stored lead (the one escalations rebuild).
    const card = stored ? alertLeadFromStored(stored) : undefined;
    if (!card) throw new Error('lead not scored');
    expect(t.notifier.posts).toEqual([buildAlertMessage(card, t.clock.now(), { buttons: false })]);
  });
});

describe('a lead erased or deleted before its consumers run', () => {
  it('is neither scored nor alerted, and its events are not retried', async () => {
    const t = await setup();
    const { leadId } = await t.submit(janeLead('j3'));
    const captured = t.eventsOf('LeadCaptured')[0] as BusEvent;
    await t.enrich(captured);
    const scored = t.eventsOf('LeadScored')[0] as BusEvent;
    await erasePerson(t.deps, { email: JANE.email }, { by: 'test-runner', requestId: 'req-erase' });
    const published = t.bus.events.length;

    // Late deliveries: the capture event redelivered to enrich, the score event to the notifier.
    await expect(t.enrich(captured)).resolves.toEqual({ batchItemFailures: [] });
    await expect(t.notify(scored)).resolves.toBeUndefined();

    expect(t.bus.events.slice(published)).toEqual([]);
    expect(t.notifier.posts).toEqual([]);
    expect(await t.store.getAlert(leadId)).toBeUndefined();
    expect((await t.store.getLead(leadId))?.scoring?.enrichment).toEqual({});
  });

  it('skips a lead withdrawn on its platform the same way', async () => {
    const t = await setup();
    const { leadId, contactId } = await t.submit(janeLead('j4'));
    const captured = t.eventsOf('LeadCaptured')[0] as BusEvent;
    await t.store.deleteLeadData(
      { leadId, contactId, platformCreatedAt: '2026-11-30T09:59:00.000Z' },
      '2026-11-30T10:00:01.000Z',
    );

    await expect(t.enrich(captured)).resolves.toEqual({ batchItemFailures: [] });
    expect(t.eventsOf('LeadScored')).toEqual([]);
    expect(t.notifier.posts).toEqual([]);
  });
});
