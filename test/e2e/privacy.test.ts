import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsentWithdrawnV1, ContactErasedV1, ContactsMergedV1 } from '../../events/contracts.js';
import { InProcessBus } from '../../lib/local/in-process-bus.js';
import { googleLead, sendGoogleWebhook } from '../../lib/sandbox/google-webhook.js';
import { type LinkedInSandbox, startLinkedInSandbox } from '../../lib/sandbox/linkedin-api.js';
import { linkedInDemoForm, linkedInResponse } from '../../lib/sandbox/linkedin-fixtures.js';
import { leadNotification, sendLinkedInWebhook } from '../../lib/sandbox/linkedin-webhook.js';
import { demoRequestForm, demoRequestLead, SANDBOX_PAGES } from '../../lib/sandbox/meta-fixtures.js';
import { type MetaSandbox, startMetaSandbox } from '../../lib/sandbox/meta-graph.js';
import { leadgenEntries, sendWebhook } from '../../lib/sandbox/meta-webhook.js';
import { sendTikTokWebhook, TIKTOK_ADVERTISER_ID, tiktokLead } from '../../lib/sandbox/tiktok-webhook.js';
import { ADMIN_TOKEN, startFakeSlack, startTestHub } from './support.js';

const META_SECRET = 'e2e-privacy-meta-secret';
const META_TOKEN = 'EAAG-e2e-privacy';
const LI_SECRET = 'e2e-privacy-li-secret';
const LI_TOKEN = 'AQV-e2e-privacy';
const TIKTOK_TOKEN = 'e2e-privacy-tiktok-path-token';
const GOOGLE_KEY = 'e2e-privacy-google-key';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

/** Every person's identifiers as they could show up in a log line (any case, any format). */
const PII = [
  // web form
  'jane.doe@acme.io',
  'Jane Doe',
  '4155552671',
  '415 555 2671',
  'Doe',
  // Meta sandbox person
  'maria.garcia@acme-robotics.com',
  'Maria Garcia',
  'Garcia',
  // LinkedIn sandbox person (another email, same name)
  'maria@linkedin-person.example',
  // TikTok
  'jade.nguyen@example.com',
  'Jade Nguyen',
  '4155550142',
  // Google
  'priya.patel@globex.io',
  'Priya Patel',
  '4155550187',
  // answers
  'We need 40 seats',
];

describe('privacy end to end (local runtime, every source)', () => {
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  let meta: MetaSandbox;
  let linkedIn: LinkedInSandbox;
  let t: Hub;
  let events: { type: string; detail: unknown }[];

  beforeEach(async () => {
    slack = await startFakeSlack();
    meta = await startMetaSandbox({
      appSecret: META_SECRET,
      pages: { [SANDBOX_PAGES.acme]: META_TOKEN },
      forms: [demoRequestForm],
    });
    linkedIn = await startLinkedInSandbox({ tokens: [LI_TOKEN], forms: [linkedInDemoForm] });
    t = await startTestHub(slack.url, {
      META_APP_SECRET: META_SECRET,
      META_PAGE_ACCESS_TOKEN: META_TOKEN,
      META_GRAPH_URL: meta.url,
      LINKEDIN_CLIENT_SECRET: LI_SECRET,
      LINKEDIN_ACCESS_TOKEN: LI_TOKEN,
      LINKEDIN_API_URL: linkedIn.url,
      TIKTOK_WEBHOOK_TOKEN: TIKTOK_TOKEN,
      TIKTOK_ADVERTISER_IDS: TIKTOK_ADVERTISER_ID,
      GOOGLE_WEBHOOK_KEY: GOOGLE_KEY,
    });
    events = [];
    if (!(t.hub.deps.bus instanceof InProcessBus)) throw new Error('expected the in-process bus');
    // What a CRM subscriber would receive.
    t.hub.deps.bus.addRule({
      name: 'test-crm',
      pattern: {
        source: ['leadhub'],
        'detail-type': ['ConsentWithdrawn', 'ContactErased', 'ContactsMerged'],
      },
      target: {
        kind: 'function',
        invoke: async (e) => void events.push({ type: e['detail-type'], detail: e.detail }),
      },
    });
  });
  afterEach(async () => {
    await t.hub.stop();
    await linkedIn.close();
    await meta.close();
    await slack.close();
  });

  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${t.hub.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  async function driveEverySource() {
    const form = await t.postForm(
      'contact',
      JSON.stringify({
        email: 'Jane.Doe@Acme.io',
        name: 'jane doe',
        phone: '415 555 2671',
        company: 'Acme',
        privacy_accepted: 'on',
        marketing_opt_in: 'on',
        needs: 'We need 40 seats',
      }),
    );
    expect(form.status).toBe(202);
    const metaLead = demoRequestLead('900000000000000901', {
      customDisclaimerResponses: [{ checkbox_key: 'marketing_optin', is_checked: '1' }],
    });
    meta.addLead(metaLead);
    expect((await sendWebhook(t.hub.url, leadgenEntries([metaLead]), META_SECRET)).status).toBe(200);
    const li = linkedInResponse('e2e-privacy-1', {
      firstName: 'Maria',
      lastName: 'Garcia',
      email: 'maria@linkedin-person.example',
      consents: { 0: true, 1: true },
    });
    linkedIn.addResponse(li);
    expect((await sendLinkedInWebhook(t.hub.url, [leadNotification(li)], LI_SECRET)).status).toBe(200);
    expect(
      (await sendTikTokWebhook(t.hub.url, TIKTOK_TOKEN, [tiktokLead('7301234567890199999')])).status,
    ).toBe(200);
    expect((await sendGoogleWebhook(t.hub.url, googleLead('CjwKCAiA-privacy-1'), GOOGLE_KEY)).status).toBe(
      200,
    );
    await t.hub.drain();
  }

  it('never writes an email, phone or name to the log, from any source or the privacy API', async () => {
    await driveEverySource();
    expect(slack.posts.length).toBeGreaterThanOrEqual(5);
    const leads = (await api('GET', '/api/leads?limit=50')).body.leads as unknown[];
    expect(leads).toHaveLength(5);

    expect((await api('POST', '/api/privacy/export', { email: 'jane.doe@acme.io' })).status).toBe(200);
    // The person never travels in a URL: the old GET form is no route (405: only POST is served there).
    const byUrl = await api('GET', '/api/privacy/export?email=jane.doe%40acme.io');
    expect(byUrl).toMatchObject({ status: 405, body: { error: 'method_not_allowed' } });
    expect(
      (await api('POST', '/api/privacy/withdraw', { phone: '415 555 2671', purpose: 'marketing_email' }))
        .status,
    ).toBe(200);
    expect((await api('POST', '/api/privacy/erase', { email: 'priya.patel@globex.io' })).status).toBe(200);
    expect((await api('POST', '/api/privacy/export', { email: 'nobody@acme.io' })).status).toBe(404);
    await t.hub.drain();

    // Each action is on the audit trail, named by the local caller and by the request id its log line has.
    const trail = (await api('GET', '/api/privacy/audit')).body.records as Record<string, string>[];
    // (Two requests may share a millisecond, so not in order.)
    expect(trail.map((r) => `${r.action} ${r.outcome}`).sort()).toEqual([
      'erase done',
      'export done',
      'export not_found',
      'withdraw done',
    ]);
    for (const record of trail) {
      expect(record.by).toBe('admin-token');
      expect(record.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(t.logs.some((line) => line.includes(`"requestId":"${record.requestId}"`))).toBe(true);
    }

    expect(t.logs.length).toBeGreaterThan(20);
    const text = t.logs.join('\n').toLowerCase();
    for (const pii of PII) expect(text, pii).not.toContain(pii.toLowerCase());
    // The check itself works: the same identifiers are in what was stored.
    const exported = JSON.stringify(
      (await api('POST', '/api/privacy/export', { email: 'jane.doe@acme.io' })).body,
    );
    expect(exported).toContain('jane.doe@acme.io');
    expect(exported).toContain('We need 40 seats');
  });

  it('merges a person across platforms, and fans withdrawal and erasure out to subscribers', async () => {
    // Maria Garcia: Meta lead (email + phone) and a website lead (same phone, another email) merge later.
    const metaLead = demoRequestLead('900000000000000902');
    meta.addLead(metaLead);
    await sendWebhook(t.hub.url, leadgenEntries([metaLead]), META_SECRET);
    await t.hub.drain();
    await t.postForm('contact', JSON.stringify({ email: 'maria@home.example', privacy_accepted: 'on' }));
    await t.hub.drain();
    await t.postForm(
      'contact',
      JSON.stringify({
        email: 'maria@home.example',
        phone: '+14155552671',
        privacy_accepted: 'on',
        marketing_opt_in: 'on',
      }),
    );
    await t.hub.drain();
    const merged = events.filter((e) => e.type === 'ContactsMerged').map((e) => e.detail as ContactsMergedV1);
    expect(merged).toHaveLength(1);

    const exported = await api('POST', '/api/privacy/export', { email: 'maria.garcia@acme-robotics.com' });
    expect(exported.status).toBe(200);
    expect(exported.body.contactId).toBe(merged[0]?.contactId);
    const sources = (exported.body.timeline as { kind: string; source?: string }[])
      .filter((e) => e.kind === 'lead')
      .map((e) => e.source);
    expect(sources.sort()).toEqual(['form', 'form', 'meta']);

    const withdrawn = await api('POST', '/api/privacy/withdraw', {
      email: 'maria@home.example',
      purpose: 'marketing_email',
    });
    expect(withdrawn.status).toBe(200);
    const erased = await api('POST', '/api/privacy/erase', { phone: '+1 (415) 555-2671' });
    expect(erased.body).toMatchObject({ status: 'erased', contactId: merged[0]?.contactId });
    await t.hub.drain();
    expect(
      events
        .filter((e) => e.type === 'ConsentWithdrawn')
        .map((e) => (e.detail as ConsentWithdrawnV1).contactId),
    ).toEqual([merged[0]?.contactId]);
    const erasedEvents = events
      .filter((e) => e.type === 'ContactErased')
      .map((e) => e.detail as ContactErasedV1);
    expect(erasedEvents).toEqual([
      expect.objectContaining({
        contactId: merged[0]?.contactId,
        mergedContactIds: [merged[0]?.mergedContactId],
      }),
    ]);
    expect(erasedEvents[0]?.leadIds).toHaveLength(3);

    // Gone from every API; a new submission is dropped without an alert.
    const alerts = slack.posts.length;
    expect((await api('GET', `/api/contacts/${merged[0]?.contactId}`)).status).toBe(410);
    expect((await api('GET', '/api/leads?limit=50')).body.leads).toEqual([]);
    await t.postForm('contact', JSON.stringify({ email: 'maria@home.example', privacy_accepted: 'on' }));
    await t.hub.drain();
    expect((await api('GET', '/api/leads?limit=50')).body.leads).toEqual([]);
    expect(slack.posts).toHaveLength(alerts);
  });
});
