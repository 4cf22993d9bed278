import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceConnectionFailedV1 } from '../../events/contracts.js';
import { leadIdFor } from '../../lib/lead/identity.js';
import { InProcessBus } from '../../lib/local/in-process-bus.js';
import { replayQuarantine, replayReceipts } from '../../lib/pipeline/replay.js';
import {
  demoRequestForm,
  demoRequestLead,
  roofQuoteForm,
  roofQuoteLead,
  SANDBOX_FORMS,
  SANDBOX_PAGES,
  testingToolLead,
} from '../../lib/sandbox/meta-fixtures.js';
import { type MetaSandbox, startMetaSandbox } from '../../lib/sandbox/meta-graph.js';
import { leadgenEntries, metaWebhookBody, sendWebhook } from '../../lib/sandbox/meta-webhook.js';
import { startFakeSlack, startTestHub } from './support.js';

const APP_SECRET = 'e2e-meta-app-secret';
const VERIFY_TOKEN = 'e2e-verify-token';
const TOKENS = { [SANDBOX_PAGES.acme]: 'EAAG-e2e-acme', [SANDBOX_PAGES.roofing]: 'EAAG-e2e-roof' };

type Hub = Awaited<ReturnType<typeof startTestHub>>;
type Slack = Awaited<ReturnType<typeof startFakeSlack>>;

describe('Meta Lead Ads end to end (local runtime + Graph sandbox + fake Slack)', () => {
  let slack: Slack;
  let sandbox: MetaSandbox;
  let t: Hub;
  let connectionFailures: SourceConnectionFailedV1[];

  beforeEach(async () => {
    slack = await startFakeSlack();
    sandbox = await startMetaSandbox({
      appSecret: APP_SECRET,
      pages: TOKENS,
      forms: [demoRequestForm, roofQuoteForm],
    });
    t = await startTestHub(slack.url, {
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: VERIFY_TOKEN,
      META_PAGE_TOKENS: JSON.stringify(TOKENS),
      META_GRAPH_URL: sandbox.url,
    });
    connectionFailures = [];
    if (!(t.hub.deps.bus instanceof InProcessBus)) throw new Error('expected the in-process bus');
    t.hub.deps.bus.addRule({
      name: 'test-connection-failed',
      pattern: { source: ['leadhub'], 'detail-type': ['SourceConnectionFailed'] },
      target: {
        kind: 'function',
        invoke: async (e) => void connectionFailures.push(e.detail as SourceConnectionFailedV1),
      },
    });
  });
  afterEach(async () => {
    await t.hub.stop();
    await sandbox.close();
    await slack.close();
  });

  const leadsApi = async () =>
    (await t.admin('/api/leads?limit=50')).body.leads as {
      leadId: string;
      contactId: string;
      platformLeadId: string;
      isTest: boolean;
      attribution: Record<string, unknown>;
      answers: { key: string; values: string[] }[];
    }[];

  it('answers the subscription handshake with the challenge as plain text', async () => {
    const ok = await fetch(
      `${t.hub.url}/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY_TOKEN}`,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(
      `${t.hub.url}/webhooks/meta?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope`,
    );
    expect(wrong.status).toBe(403);
  });

  it('takes a signed webhook to one stored lead with consent and one Slack alert', async () => {
    const lead = demoRequestLead('900000000000000001');
    sandbox.addLead(lead);
    // Ids go out as bare 18-digit JSON numbers, as in Meta's documented sample.
    expect(metaWebhookBody(leadgenEntries([lead]))).toContain('"leadgen_id":900000000000000001');
    const res = await sendWebhook(t.hub.url, leadgenEntries([lead]), APP_SECRET);
    expect(res.status).toBe(200);
    await t.hub.drain();

    expect(slack.posts).toHaveLength(1);
    const alert = JSON.stringify(slack.posts[0]?.body);
    expect(alert).toContain('Maria Garcia');
    expect(alert).toContain('Acme Robotics');

    const [stored] = await leadsApi();
    expect(stored).toMatchObject({
      leadId: leadIdFor('meta', '900000000000000001'),
      platformLeadId: '900000000000000001',
      isTest: false,
      attribution: {
        source: 'meta',
        pageId: SANDBOX_PAGES.acme,
        formId: SANDBOX_FORMS.demoRequest,
        adId: '120211234567890123',
      },
    });
    expect(stored?.answers).toContainEqual(
      expect.objectContaining({ values: ['Lead routing', 'Slack alerts'] }),
    );
    const contact = await t.admin(`/api/contacts/${stored?.contactId}`);
    const consents = contact.body.consents as {
      key: string;
      granted: boolean;
      method: string;
      noticeText: string;
    }[];
    expect(consents.map((c) => [c.key, c.granted, c.method]).sort()).toEqual([
      ['data_processing', true, 'implied'],
      ['marketing_optin', true, 'platform_checkbox'],
    ]);
    expect(t.logs.join('\n')).not.toContain('maria.garcia@acme-robotics.com');
    expect(t.logs.join('\n')).not.toContain(TOKENS[SANDBOX_PAGES.acme]);
  });

  it('makes one lead and one alert from redeliveries, and keeps test leads out of the main channel', async () => {
    const real = roofQuoteLead('900000000000000002');
    const test = testingToolLead('900000000000000003');
    sandbox.addLead(real);
    sandbox.addLead(test);
    const batch = leadgenEntries([real, test]);
    const answers = await Promise.all([
      sendWebhook(t.hub.url, batch, APP_SECRET),
      sendWebhook(t.hub.url, batch, APP_SECRET),
      sendWebhook(t.hub.url, leadgenEntries([real]), APP_SECRET),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await t.hub.drain();

    const leads = await leadsApi();
    expect(leads.map((l) => [l.platformLeadId, l.isTest]).sort()).toEqual([
      ['900000000000000002', false],
      ['900000000000000003', true],
    ]);
    expect(slack.posts).toHaveLength(1);
    expect(JSON.stringify(slack.posts[0]?.body)).toContain('Joe Example');
    expect(sandbox.requests.filter((r) => r.object === 'lead')).toHaveLength(2);
  });

  it('fails a lead whose token expired, announces it, and captures it on replay', async () => {
    const lead = roofQuoteLead('900000000000000004');
    sandbox.addLead(lead);
    sandbox.fail(lead.id, { kind: 'token_expired' });
    expect((await sendWebhook(t.hub.url, leadgenEntries([lead]), APP_SECRET)).status).toBe(200);
    await t.hub.drain();

    expect(slack.posts).toHaveLength(0);
    expect(connectionFailures).toEqual([
      expect.objectContaining({
        source: 'meta',
        reason: 'token_expired',
        pageId: SANDBOX_PAGES.roofing,
        platformLeadId: lead.id,
      }),
    ]);
    const receipt = await t.hub.deps.receipts.getReceipt({ source: 'meta', platformLeadId: lead.id });
    expect(receipt?.status).toBe('failed');
    expect(t.hub.deadLetters().capture).toEqual([]);

    sandbox.clearFailures();
    const replay = await replayReceipts(t.hub.deps, { source: 'meta', status: 'failed' });
    expect(replay.replayed).toHaveLength(1);
    await t.hub.drain();
    expect(slack.posts).toHaveLength(1);
    expect((await t.hub.deps.receipts.getReceipt({ source: 'meta', platformLeadId: lead.id }))?.status).toBe(
      'captured',
    );
  });

  it('captures and alerts a lead whose webhook form_id is not all digits (capture reads it from the lead)', async () => {
    const lead = demoRequestLead('900000000000000006');
    sandbox.addLead(lead);
    const entries = leadgenEntries([lead]);
    const value = entries[0]?.changes[0]?.value as Record<string, unknown>;
    value.form_id = 'form-demo';
    const res = await sendWebhook(t.hub.url, entries, APP_SECRET);
    expect(res.status).toBe(200);
    await t.hub.drain();

    expect(slack.posts).toHaveLength(1);
    const [stored] = await leadsApi();
    expect(stored).toMatchObject({
      platformLeadId: lead.id,
      attribution: { source: 'meta', pageId: SANDBOX_PAGES.acme, formId: SANDBOX_FORMS.demoRequest },
    });
    expect((await t.admin('/api/quarantine')).body).toMatchObject({ count: 0, receipts: [] });
  });

  it('quarantines a change without a usable leadgen_id and lists it at GET /api/quarantine', async () => {
    const lead = roofQuoteLead('900000000000000007');
    sandbox.addLead(lead);
    const entries = leadgenEntries([lead]);
    entries[0]?.changes.push({ field: 'leadgen', value: { leadgen_id: 'x-1', page_id: lead.pageId } });
    const res = await sendWebhook(t.hub.url, entries, APP_SECRET);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ accepted: 1, quarantined: 1 });
    await t.hub.drain();

    expect(slack.posts).toHaveLength(1);
    const listed = await t.admin('/api/quarantine');
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({
      count: 1,
      receipts: [
        {
          source: 'meta',
          key: expect.stringMatching(/^q_[0-9a-f]{64}$/),
          kind: 'delivery',
          reason: 'leadgen change without a usable leadgen_id',
          payloadBytes: expect.any(Number),
        },
      ],
    });
    expect(JSON.stringify(listed.body)).not.toContain('x-1');
    expect(t.logs.join('\n')).toContain('delivery items without a usable lead quarantined');

    // Nothing the current parser can read: the replay leaves it listed.
    const replay = await replayQuarantine(t.hub.deps, { quarantine: true });
    expect(replay.unreadable).toHaveLength(1);
    expect((await t.admin('/api/quarantine')).body).toMatchObject({ count: 1 });
  });

  it('stores nothing for a forged or unsigned delivery', async () => {
    const lead = roofQuoteLead('900000000000000005');
    sandbox.addLead(lead);
    expect((await sendWebhook(t.hub.url, leadgenEntries([lead]), 'wrong-secret')).status).toBe(401);
    expect(
      (await sendWebhook(t.hub.url, leadgenEntries([lead]), APP_SECRET, { signature: null })).status,
    ).toBe(401);
    await t.hub.drain();
    expect(await leadsApi()).toEqual([]);
    expect(sandbox.requests).toEqual([]);
    expect(slack.posts).toHaveLength(0);
  });
});

describe('npm run demo', () => {
  it('plays the stream and reports where each lead went', async () => {
    const { runMetaDemo } = await import('../../lib/sandbox/demo.js');
    const lines: string[] = [];
    const result = await runMetaDemo({ write: (line) => lines.push(line), paceMs: 0 });
    const byId = new Map(result.outcomes.map((o) => [o.leadgenId, o]));
    expect(byId.get('900000000000000001')).toMatchObject({
      receipt: 'captured',
      alert: 'alerted (main channel)',
    });
    expect(byId.get('900000000000000004')).toMatchObject({ isTest: true, alert: 'not alerted (test-lead)' });
    // The expired-token lead failed, was announced, then captured on replay.
    expect(result.connectionFailures.map((e) => [e.platformLeadId, e.reason])).toEqual([
      ['900000000000000005', 'token_expired'],
    ]);
    expect(byId.get('900000000000000005')).toMatchObject({ receipt: 'captured', stored: true });
    expect(byId.get('900000000000000003')?.consents).toContain(
      'marketing_email not granted (platform_checkbox)',
    );
    expect(result.webhookAnswers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 401]);
    expect(JSON.parse(result.webhookAnswers[2]?.body ?? '{}')).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(result.alertsPosted).toBe(5);
    expect(lines.join('\n')).toContain('Where each lead went');
  });
});
