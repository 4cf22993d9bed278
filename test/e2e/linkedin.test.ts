import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LeadDeletedV1, SourceConnectionFailedV1 } from '../../events/contracts.js';
import { leadIdFor } from '../../lib/lead/identity.js';
import { InProcessBus } from '../../lib/local/in-process-bus.js';
import { replayReceipts } from '../../lib/pipeline/replay.js';
import { type LinkedInSandbox, startLinkedInSandbox } from '../../lib/sandbox/linkedin-api.js';
import { LINKEDIN_FORM_ID, linkedInDemoForm, linkedInResponse } from '../../lib/sandbox/linkedin-fixtures.js';
import {
  leadNotification,
  linkedInChallengeResponse,
  sendLinkedInWebhook,
} from '../../lib/sandbox/linkedin-webhook.js';
import { demoRequestForm, demoRequestLead, SANDBOX_PAGES } from '../../lib/sandbox/meta-fixtures.js';
import { type MetaSandbox, startMetaSandbox } from '../../lib/sandbox/meta-graph.js';
import { leadgenEntries, sendWebhook } from '../../lib/sandbox/meta-webhook.js';
import { startFakeSlack, startTestHub } from './support.js';

const CLIENT_SECRET = 'e2e-linkedin-client-secret';
const TOKEN = 'AQV-e2e-member-token';
const META_SECRET = 'e2e-meta-app-secret';
const META_TOKEN = 'EAAG-e2e-acme';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
type Slack = Awaited<ReturnType<typeof startFakeSlack>>;

describe('LinkedIn Lead Gen Forms end to end (local runtime + LinkedIn sandbox + fake Slack)', () => {
  let slack: Slack;
  let linkedIn: LinkedInSandbox;
  let meta: MetaSandbox;
  let t: Hub;
  let connectionFailures: SourceConnectionFailedV1[];
  let deletions: LeadDeletedV1[];

  beforeEach(async () => {
    slack = await startFakeSlack();
    linkedIn = await startLinkedInSandbox({ tokens: [TOKEN], forms: [linkedInDemoForm] });
    meta = await startMetaSandbox({
      appSecret: META_SECRET,
      pages: { [SANDBOX_PAGES.acme]: META_TOKEN },
      forms: [demoRequestForm],
    });
    t = await startTestHub(slack.url, {
      LINKEDIN_CLIENT_SECRET: CLIENT_SECRET,
      LINKEDIN_ACCESS_TOKEN: TOKEN,
      LINKEDIN_API_URL: linkedIn.url,
      META_APP_SECRET: META_SECRET,
      META_PAGE_ACCESS_TOKEN: META_TOKEN,
      META_GRAPH_URL: meta.url,
    });
    connectionFailures = [];
    deletions = [];
    if (!(t.hub.deps.bus instanceof InProcessBus)) throw new Error('expected the in-process bus');
    t.hub.deps.bus.addRule({
      name: 'test-platform-events',
      pattern: { source: ['leadhub'], 'detail-type': ['SourceConnectionFailed', 'LeadDeleted'] },
      target: {
        kind: 'function',
        invoke: async (e) => {
          if (e['detail-type'] === 'LeadDeleted') deletions.push(e.detail as LeadDeletedV1);
          else connectionFailures.push(e.detail as SourceConnectionFailedV1);
        },
      },
    });
  });
  afterEach(async () => {
    await t.hub.stop();
    await linkedIn.close();
    await meta.close();
    await slack.close();
  });

  const leadsApi = async () =>
    (await t.admin('/api/leads?limit=50')).body.leads as {
      leadId: string;
      contactId: string;
      source: string;
      platformLeadId: string;
      isTest: boolean;
      attribution: Record<string, unknown>;
    }[];
  const receipt = (id: string) => t.hub.deps.receipts.getReceipt({ source: 'linkedin', platformLeadId: id });

  it('answers the validation challenge with the HMAC of the code', async () => {
    const code = '890e4665-4dfe-4ab1-b689-ed553bceeed0';
    const res = await fetch(`${t.hub.url}/webhooks/linkedin?challengeCode=${code}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      challengeCode: code,
      challengeResponse: linkedInChallengeResponse(code, CLIENT_SECRET),
    });
  });

  it('takes signed notifications (either signature reading) to stored leads with consent and Slack alerts', async () => {
    const maria = linkedInResponse('e2e-0001-1');
    const dana = linkedInResponse('e2e-0001-2', {
      firstName: 'Dana',
      lastName: 'Whitfield',
      email: 'dana@initech.com',
    });
    linkedIn.addResponse(maria);
    linkedIn.addResponse(dana);
    expect(
      (await sendLinkedInWebhook(t.hub.url, [leadNotification(maria)], CLIENT_SECRET, { variant: 'A' }))
        .status,
    ).toBe(200);
    expect(
      (
        await sendLinkedInWebhook(t.hub.url, [leadNotification(dana)], CLIENT_SECRET, {
          variant: 'B',
          asArray: true,
        })
      ).status,
    ).toBe(200);
    await t.hub.drain();

    expect(slack.posts).toHaveLength(2);
    expect(JSON.stringify(slack.posts.map((p) => p.body))).toContain('Maria Garcia');
    const leads = await leadsApi();
    expect(leads.map((l) => l.platformLeadId).sort()).toEqual(['e2e-0001-1', 'e2e-0001-2']);
    const stored = leads.find((l) => l.platformLeadId === 'e2e-0001-1');
    expect(stored).toMatchObject({
      leadId: leadIdFor('linkedin', 'e2e-0001-1'),
      source: 'linkedin',
      isTest: false,
      attribution: { source: 'linkedin', formId: LINKEDIN_FORM_ID, campaignId: '198356826' },
    });
    const contact = await t.admin(`/api/contacts/${stored?.contactId}`);
    const consents = contact.body.consents as { key: string; granted: boolean; noticeText: string }[];
    expect(consents.map((c) => [c.key, c.granted]).sort()).toEqual([
      ['consent_0', true],
      ['consent_1', true],
    ]);
    expect((await receipt('e2e-0001-2'))?.payload).toMatchObject({ signatureVariant: 'B' });
    const log = t.logs.join('\n');
    expect(log).not.toContain('maria.garcia@acme-robotics.com');
    expect(log).not.toContain(TOKEN);
    expect(log).toContain('"signatureVariant":"A"');
  });

  it('makes one lead and one alert from redeliveries, and keeps test leads out of the main channel', async () => {
    const real = linkedInResponse('e2e-0002-1');
    const test = linkedInResponse('e2e-0002-2', { email: 'test@linkedin.example' }, { testLead: true });
    linkedIn.addResponse(real);
    linkedIn.addResponse(test);
    const batch = [leadNotification(real), leadNotification(test)];
    const answers = await Promise.all([
      sendLinkedInWebhook(t.hub.url, batch, CLIENT_SECRET),
      sendLinkedInWebhook(t.hub.url, batch, CLIENT_SECRET, { variant: 'B' }),
      sendLinkedInWebhook(t.hub.url, [leadNotification(real)], CLIENT_SECRET),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await t.hub.drain();
    expect((await leadsApi()).map((l) => [l.platformLeadId, l.isTest]).sort()).toEqual([
      ['e2e-0002-1', false],
      ['e2e-0002-2', true],
    ]);
    expect(slack.posts).toHaveLength(1);
    expect(linkedIn.requests.filter((r) => r.object === 'lead')).toHaveLength(2);
  });

  it('fails a lead whose token expired, announces it, and captures it on replay', async () => {
    const lead = linkedInResponse('e2e-0003-1');
    linkedIn.addResponse(lead);
    linkedIn.fail(lead.id, { kind: 'token_expired' });
    expect((await sendLinkedInWebhook(t.hub.url, [leadNotification(lead)], CLIENT_SECRET)).status).toBe(200);
    await t.hub.drain();
    expect(slack.posts).toHaveLength(0);
    expect(connectionFailures).toEqual([
      expect.objectContaining({ source: 'linkedin', reason: 'token_expired', platformLeadId: lead.id }),
    ]);
    expect((await receipt(lead.id))?.status).toBe('failed');

    linkedIn.clearFailures();
    expect(
      (await replayReceipts(t.hub.deps, { source: 'linkedin', status: 'failed' })).replayed,
    ).toHaveLength(1);
    await t.hub.drain();
    expect(slack.posts).toHaveLength(1);
    expect((await receipt(lead.id))?.status).toBe('captured');
  });

  it('follows DELETED: marks a captured lead deleted, and keeps a lead deleted first from ever being captured', async () => {
    const kept = linkedInResponse('e2e-0004-1');
    const early = linkedInResponse('e2e-0004-2', { email: 'chris@example.org' });
    linkedIn.addResponse(kept);
    linkedIn.addResponse(early);
    await sendLinkedInWebhook(t.hub.url, [leadNotification(kept)], CLIENT_SECRET);
    await t.hub.drain();
    await sendLinkedInWebhook(t.hub.url, [leadNotification(kept, 'DELETED')], CLIENT_SECRET);
    await sendLinkedInWebhook(t.hub.url, [leadNotification(early, 'DELETED')], CLIENT_SECRET);
    await sendLinkedInWebhook(t.hub.url, [leadNotification(early)], CLIENT_SECRET);
    await t.hub.drain();

    const capturedLead = (await leadsApi()).find((l) => l.platformLeadId === kept.id);
    expect(deletions.map((d) => [d.platformLeadId, d.captured, d.contactId])).toEqual([
      [kept.id, true, capturedLead?.contactId],
      [early.id, false, undefined],
    ]);
    expect((await receipt(kept.id))?.status).toBe('deleted');
    expect((await receipt(early.id))?.status).toBe('deleted');
    expect((await leadsApi()).map((l) => l.platformLeadId)).toEqual([kept.id]);
    expect(linkedIn.requests.filter((r) => r.object === 'lead').map((r) => r.id)).toEqual([kept.id]);
    expect(slack.posts).toHaveLength(1);
  });

  it('stores nothing for a forged or unsigned delivery', async () => {
    const lead = linkedInResponse('e2e-0005-1');
    linkedIn.addResponse(lead);
    expect((await sendLinkedInWebhook(t.hub.url, [leadNotification(lead)], 'wrong-secret')).status).toBe(401);
    expect(
      (await sendLinkedInWebhook(t.hub.url, [leadNotification(lead)], CLIENT_SECRET, { signature: null }))
        .status,
    ).toBe(401);
    await t.hub.drain();
    expect(await leadsApi()).toEqual([]);
    expect(linkedIn.requests).toEqual([]);
  });

  it('makes one contact with two leads of a person who submits on Meta and on LinkedIn', async () => {
    const onMeta = demoRequestLead('900000000000000777');
    meta.addLead(onMeta);
    const onLinkedIn = linkedInResponse('e2e-0006-1');
    linkedIn.addResponse(onLinkedIn);
    expect((await sendWebhook(t.hub.url, leadgenEntries([onMeta]), META_SECRET)).status).toBe(200);
    expect((await sendLinkedInWebhook(t.hub.url, [leadNotification(onLinkedIn)], CLIENT_SECRET)).status).toBe(
      200,
    );
    await t.hub.drain();

    const leads = await leadsApi();
    expect(leads.map((l) => l.source).sort()).toEqual(['linkedin', 'meta']);
    expect(new Set(leads.map((l) => l.contactId)).size).toBe(1);
    const contact = await t.admin(`/api/contacts/${leads[0]?.contactId}`);
    const profile = contact.body.profile as { leadCount: number; sources: string[] };
    expect(profile.leadCount).toBe(2);
    expect([...profile.sources].sort()).toEqual(['linkedin', 'meta']);
    expect((contact.body.leads as unknown[]).length).toBe(2);
  });
});
