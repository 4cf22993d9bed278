import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leadIdFor } from '../../lib/lead/identity.js';
import {
  sendTikTokWebhook,
  TIKTOK_ADVERTISER_ID,
  tiktokLead,
  tiktokMockLead,
  tiktokWebhookBody,
} from '../../lib/sandbox/tiktok-webhook.js';
import { startFakeSlack, startTestHub } from './support.js';

const TOKEN = 'e2e-tiktok-path-token-0c1d2e3f';
const APP_SECRET = 'e2e-tiktok-app-secret';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
type Slack = Awaited<ReturnType<typeof startFakeSlack>>;

describe('TikTok Instant Forms end to end (local runtime + fake Slack)', () => {
  let slack: Slack;
  let t: Hub;

  beforeEach(async () => {
    slack = await startFakeSlack();
    t = await startTestHub(slack.url, {
      TIKTOK_WEBHOOK_TOKEN: TOKEN,
      TIKTOK_APP_SECRET: APP_SECRET,
      TIKTOK_ADVERTISER_IDS: TIKTOK_ADVERTISER_ID,
    });
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
      attribution: Record<string, unknown>;
    }[];
  const receipt = (id: string) =>
    t.hub.deps.receipts.getReceipt({ source: 'tiktok', platformLeadId: `${TIKTOK_ADVERTISER_ID}:${id}` });

  it('takes a signed delivery with a 19-digit id to a stored lead and a Slack alert, recording its checks', async () => {
    const lead = tiktokLead('7301234567890123456');
    expect(tiktokWebhookBody([lead])).toContain('"id":7301234567890123456');
    const res = await sendTikTokWebhook(t.hub.url, TOKEN, [lead], { appSecret: APP_SECRET });
    expect(res.status).toBe(200);
    await t.hub.drain();

    expect(slack.posts).toHaveLength(1);
    expect(JSON.stringify(slack.posts[0]?.body)).toContain('Jade Nguyen');
    const [stored] = await leadsApi();
    expect(stored).toMatchObject({
      leadId: leadIdFor('tiktok', `${TIKTOK_ADVERTISER_ID}:7301234567890123456`),
      platformLeadId: `${TIKTOK_ADVERTISER_ID}:7301234567890123456`,
      email: 'jade.nguyen@example.com',
      isTest: false,
      attribution: { source: 'tiktok', formId: '7643847475366904072', adId: '1800000000000003' },
    });
    expect((await receipt(lead.id))?.payload).toMatchObject({
      trust: { pathToken: 'passed', signature: 'verified', advertiser: 'allow_listed' },
    });
    expect(t.logs.join('\n')).not.toContain('jade.nguyen@example.com');
    expect(t.logs.join('\n')).not.toContain(TOKEN);
  });

  it('takes an unsigned delivery on the path token alone, and says so on the receipt', async () => {
    const lead = tiktokLead('7301234567890123457');
    expect((await sendTikTokWebhook(t.hub.url, TOKEN, [lead])).status).toBe(200);
    await t.hub.drain();
    expect(await leadsApi()).toHaveLength(1);
    expect((await receipt(lead.id))?.payload).toMatchObject({ trust: { signature: 'absent' } });
  });

  it('makes one lead from redeliveries, keeps mock leads out of the main channel, ignores other objects', async () => {
    const lead = tiktokLead('7301234567890123458');
    const mock = tiktokMockLead('7301234567890123459');
    const answers = await Promise.all([
      sendTikTokWebhook(t.hub.url, TOKEN, [lead, mock]),
      sendTikTokWebhook(t.hub.url, TOKEN, [lead, mock]),
      sendTikTokWebhook(t.hub.url, TOKEN, [lead], { object: 3 }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await t.hub.drain();
    expect((await leadsApi()).map((l) => [l.platformLeadId.split(':')[1], l.isTest]).sort()).toEqual([
      ['7301234567890123458', false],
      ['7301234567890123459', true],
    ]);
    expect(slack.posts).toHaveLength(1);
  });

  it('stores nothing for a wrong token, a wrong signature or another advertiser', async () => {
    const lead = tiktokLead('7301234567890123460');
    expect((await sendTikTokWebhook(t.hub.url, 'guessed', [lead], { appSecret: APP_SECRET })).status).toBe(
      404,
    );
    expect((await sendTikTokWebhook(t.hub.url, TOKEN, [lead], { appSecret: 'wrong' })).status).toBe(401);
    const other = tiktokLead('7301234567890123461', { advertiser_id: '7000000000000000001' });
    expect((await sendTikTokWebhook(t.hub.url, TOKEN, [other])).status).toBe(403);
    await t.hub.drain();
    expect(await leadsApi()).toEqual([]);
    expect(slack.posts).toHaveLength(0);
  });

  it('captures and alerts the heaviest lead the 256 KiB body cap lets in, cut to the limits', async () => {
    // An object answer is kept as its JSON, so each quote here costs 4 bytes in an event: twice the body's.
    const heavy = Array.from({ length: 25 }, (_, i) => ({ field: `q${i}`, value: { a: '"'.repeat(4_990) } }));
    const lead = tiktokLead('7301234567890123460', { changes: [...tiktokLead('x').changes, ...heavy] });
    const size = Buffer.byteLength(tiktokWebhookBody([lead]));
    expect(size).toBeGreaterThan(250_000);
    expect(size).toBeLessThanOrEqual(256 * 1024);
    expect((await sendTikTokWebhook(t.hub.url, TOKEN, [lead])).status).toBe(200);
    await t.hub.drain();

    expect(t.hub.deadLetters()).toEqual({ capture: [], enrich: [], slack: [] });
    const [stored] = (await leadsApi()) as unknown as ({ truncated?: boolean; answers: unknown[] } & Record<
      string,
      unknown
    >)[];
    expect(stored).toMatchObject({ email: 'jade.nguyen@example.com', truncated: true });
    expect(Buffer.byteLength(JSON.stringify(stored?.answers))).toBeLessThan(128 * 1024);
    expect(slack.posts).toHaveLength(1);
    expect(t.logs.join('\n')).toContain('lead cut to the limits');
  });
});
