import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  demoRequestForm,
  demoRequestLead,
  roofQuoteForm,
  roofQuoteLead,
  SANDBOX_PAGES,
} from '../../lib/sandbox/meta-fixtures.js';
import { type MetaSandbox, startMetaSandbox } from '../../lib/sandbox/meta-graph.js';
import { leadgenEntries, sendWebhook } from '../../lib/sandbox/meta-webhook.js';
import { startFakeSlack, startTestHub } from './support.js';

const APP_SECRET = 'e2e-reconcile-app-secret';
const TOKENS = { [SANDBOX_PAGES.acme]: 'EAAG-rec-acme', [SANDBOX_PAGES.roofing]: 'EAAG-rec-roof' };

describe('Meta reconciliation on the local runtime (what `npm run reconcile` runs)', () => {
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  let sandbox: MetaSandbox;
  let t: Awaited<ReturnType<typeof startTestHub>>;

  beforeEach(async () => {
    slack = await startFakeSlack();
    sandbox = await startMetaSandbox({
      appSecret: APP_SECRET,
      pages: TOKENS,
      forms: [demoRequestForm, roofQuoteForm],
    });
    t = await startTestHub(slack.url, {
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: 'verify',
      META_PAGE_TOKENS: JSON.stringify(TOKENS),
      META_GRAPH_URL: sandbox.url,
    });
  });
  afterEach(async () => {
    await t.hub.stop();
    await sandbox.close();
    await slack.close();
  });

  const leadIds = async () =>
    ((await t.admin('/api/leads?limit=50')).body.leads as { platformLeadId: string }[])
      .map((l) => l.platformLeadId)
      .sort();

  it('captures the lead whose webhook was missed, next to the one delivered, and only once', async () => {
    const delivered = demoRequestLead('900000000000000011');
    const missed = roofQuoteLead('800000000000000011');
    sandbox.addLead(delivered);
    sandbox.addLead(missed);
    const res = await sendWebhook(t.hub.url, leadgenEntries([delivered]), APP_SECRET);
    expect(res.status).toBe(200);
    await t.hub.drain();
    expect(await leadIds()).toEqual([delivered.id]);

    const first = await t.hub.reconcileMeta();
    await t.hub.drain();
    expect(first).toMatchObject({ leadsSeen: 2, newReceipts: 1, alreadyKnown: 1, errors: 0 });
    expect(await leadIds()).toEqual([delivered.id, missed.id].sort());

    const nowSeconds = () => Math.floor(t.hub.deps.clock.now().getTime() / 1000);
    const before = nowSeconds();
    const second = await t.hub.reconcileMeta({ lookbackHours: 1 });
    const after = nowSeconds();
    await t.hub.drain();
    expect(second).toMatchObject({ leadsSeen: 2, newReceipts: 0, alreadyKnown: 2 });
    // The hub's clock is real: the run read it somewhere between these two readings.
    expect(second.since).toBeGreaterThanOrEqual(before - 3600);
    expect(second.since).toBeLessThanOrEqual(after - 3600);
    expect(await leadIds()).toHaveLength(2);
  });
});
