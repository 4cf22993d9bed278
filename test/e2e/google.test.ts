import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leadIdFor } from '../../lib/lead/identity.js';
import { googleLead, googleTestLead, sendGoogleWebhook } from '../../lib/sandbox/google-webhook.js';
import { startFakeSlack, startTestHub } from './support.js';

const KEY = 'e2e-google-webhook-key';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
type Slack = Awaited<ReturnType<typeof startFakeSlack>>;

describe('Google Ads lead forms end to end (local runtime + fake Slack)', () => {
  let slack: Slack;
  let t: Hub;

  beforeEach(async () => {
    slack = await startFakeSlack();
    t = await startTestHub(slack.url, { GOOGLE_WEBHOOK_KEY: KEY });
  });
  afterEach(async () => {
    await t.hub.stop();
    await slack.close();
  });

  const leadsApi = async () =>
    (await t.admin('/api/leads?limit=50')).body.leads as {
      leadId: string;
      platformLeadId: string;
      isTest: boolean;
      email?: string;
      answers: { key: string; values: string[] }[];
      attribution: Record<string, unknown>;
    }[];

  it('answers 200 {} and takes a lead to a stored lead and a Slack alert', async () => {
    const lead = googleLead('CjwKCAiA-e2e-0001');
    const res = await sendGoogleWebhook(t.hub.url, lead, KEY);
    expect(res).toEqual({ status: 200, body: '{}' });
    await t.hub.drain();
    expect(slack.posts).toHaveLength(1);
    expect(JSON.stringify(slack.posts[0]?.body)).toContain('Priya Patel');
    const [stored] = await leadsApi();
    expect(stored).toMatchObject({
      leadId: leadIdFor('google', 'CjwKCAiA-e2e-0001'),
      email: 'priya.patel@globex.io',
      isTest: false,
      attribution: {
        source: 'google',
        formId: '349080077126',
        clickIds: { gclid: 'EAIaIQobChMI8pWf-lead-form' },
      },
    });
    expect(stored?.answers).toContainEqual(
      expect.objectContaining({ key: 'sales_team_size', values: ['11-50'] }),
    );
    expect(t.logs.join('\n')).not.toContain(KEY);
    expect(t.logs.join('\n')).not.toContain('priya.patel@globex.io');
  });

  it('keeps "Send test data" out of the main channel, and makes one lead from redeliveries', async () => {
    const sample = googleTestLead();
    const lead = googleLead('CjwKCAiA-e2e-0002');
    const answers = await Promise.all([
      sendGoogleWebhook(t.hub.url, sample, KEY),
      sendGoogleWebhook(t.hub.url, lead, KEY),
      sendGoogleWebhook(t.hub.url, lead, KEY),
    ]);
    expect(answers).toEqual([
      { status: 200, body: '{}' },
      { status: 200, body: '{}' },
      { status: 200, body: '{}' },
    ]);
    await t.hub.drain();
    expect((await leadsApi()).map((l) => [l.platformLeadId, l.isTest]).sort()).toEqual([
      ['CjwKCAiA-e2e-0002', false],
      [sample.lead_id, true],
    ]);
    expect(slack.posts).toHaveLength(1);
  });

  it('answers 401 and stores nothing for a wrong key', async () => {
    const res = await sendGoogleWebhook(t.hub.url, googleLead('CjwKCAiA-e2e-0003'), 'wrong-key');
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ message: expect.any(String) });
    await t.hub.drain();
    expect(await leadsApi()).toEqual([]);
  });
});
