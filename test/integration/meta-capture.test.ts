import { afterEach, describe, expect, it } from 'vitest';
import type { LeadCapturedV2, SourceConnectionFailedV1 } from '../../events/contracts.js';
import { parseEnv } from '../../lib/config.js';
import { sha256Hex } from '../../lib/lead/identity.js';
import { capture } from '../../lib/pipeline/capture.js';
import { ingest } from '../../lib/pipeline/ingest.js';
import { replayReceipts } from '../../lib/pipeline/replay.js';
import type { CaptureMessage, SecretName } from '../../lib/ports.js';
import {
  demoRequestForm,
  demoRequestLead,
  roofQuoteForm,
  roofQuoteLead,
  SANDBOX_FORMS,
  SANDBOX_PAGES,
  testingToolLead,
} from '../../lib/sandbox/meta-fixtures.js';
import { type MetaSandbox, type SandboxLead, startMetaSandbox } from '../../lib/sandbox/meta-graph.js';
import { MetaTransientError } from '../../lib/sources/meta/fetch.js';
import type { MetaLeadNotification } from '../../lib/sources/meta/parse.js';
import { fakeDeps, fixedSecrets, recordingBus, recordingQueue, testConfig } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

const APP_SECRET = 'sandbox-app-secret';
const TOKENS = { [SANDBOX_PAGES.acme]: 'EAAG-acme', [SANDBOX_PAGES.roofing]: 'EAAG-roof' };

let sandbox: MetaSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function setup(leads: SandboxLead[], secrets: Partial<Record<SecretName, string>> = {}) {
  sandbox = await startMetaSandbox({
    appSecret: APP_SECRET,
    pages: TOKENS,
    forms: [demoRequestForm, roofQuoteForm],
    leads,
  });
  const { store, receiptStore } = await freshStore();
  const bus = recordingBus();
  const captureQueue = recordingQueue<CaptureMessage>();
  const deps = fakeDeps({
    store,
    receipts: receiptStore,
    bus,
    captureQueue,
    env: parseEnv({ META_GRAPH_URL: sandbox.url, META_GRAPH_VERSION: 'v25.0' }),
    config: testConfig({
      meta: { forms: { [SANDBOX_FORMS.demoRequest]: { consents: { marketing_optin: 'marketing_email' } } } },
    }),
    secrets: fixedSecrets({
      LEADHUB_PEPPER: 'pepper',
      META_APP_SECRET: APP_SECRET,
      META_PAGE_TOKENS: JSON.stringify(TOKENS),
      ...secrets,
    }),
  });
  const receive = async (lead: SandboxLead) => {
    const notification: MetaLeadNotification = {
      leadgenId: lead.id,
      pageId: lead.pageId,
      formId: lead.formId,
      ...(lead.adId ? { adId: lead.adId } : {}),
    };
    await ingest(deps, { source: 'meta', platformLeadId: lead.id, payload: notification });
    return { source: 'meta' as const, platformLeadId: lead.id };
  };
  const captured = () =>
    bus.events.filter((e) => e.detailType === 'LeadCaptured').map((e) => e.detail as LeadCapturedV2);
  const failures = () =>
    bus.events
      .filter((e) => e.detailType === 'SourceConnectionFailed')
      .map((e) => e.detail as SourceConnectionFailedV1);
  return { deps, store, receiptStore, bus, captureQueue, receive, captured, failures, sandbox };
}

describe('capture of Meta leads (against the Graph sandbox)', () => {
  it('fetches the lead and its form, and stores the lead, its answers and its consents', async () => {
    const lead = demoRequestLead('900000000000000001', {
      customDisclaimerResponses: [{ checkbox_key: 'marketing_optin', is_checked: '1' }],
    });
    const t = await setup([lead]);
    const outcome = await capture(t.deps, await t.receive(lead));
    if (outcome.status !== 'captured') throw new Error(`not captured: ${outcome.status}`);

    const [event] = t.captured();
    expect(event).toMatchObject({
      leadId: outcome.leadId,
      source: 'meta',
      platformLeadId: '900000000000000001',
    });
    const stored = await t.store.getLead(outcome.leadId);
    expect(stored).toMatchObject({
      source: 'meta',
      platformLeadId: '900000000000000001',
      isTest: false,
      email: 'maria.garcia@acme-robotics.com',
      phone: '+14155552671',
      company: 'Acme Robotics',
      attribution: {
        pageId: SANDBOX_PAGES.acme,
        formId: SANDBOX_FORMS.demoRequest,
        adId: '120211234567890123',
        platform: 'fb',
      },
    });
    expect(stored?.answers).toContainEqual({
      key: 'which_products_interest_you?',
      label: 'Which products interest you?',
      values: ['Lead routing', 'Slack alerts'],
    });

    const contact = await t.store.getContact(outcome.contactId);
    const consents = contact?.consents ?? [];
    expect(consents.map((c) => [c.purpose, c.key, c.granted, c.method]).sort()).toEqual([
      ['data_processing', 'data_processing', true, 'implied'],
      ['marketing_email', 'marketing_optin', true, 'platform_checkbox'],
    ]);
    const marketing = consents.find((c) => c.key === 'marketing_optin');
    expect(marketing).toMatchObject({
      noticeText: 'Yes, send me product news and offers by email. I can unsubscribe at any time.',
      noticeHash: sha256Hex('Yes, send me product news and offers by email. I can unsubscribe at any time.'),
      at: new Date(lead.createdTime).toISOString().replace(/\.\d{3}Z$/, '.000Z'),
      source: 'meta',
      pageId: SANDBOX_PAGES.acme,
      formId: SANDBOX_FORMS.demoRequest,
    });
    expect(t.sandbox.requests.map((r) => [r.object, r.id])).toEqual([
      ['lead', lead.id],
      ['form', SANDBOX_FORMS.demoRequest],
    ]);
  });

  it('reads each form once for many leads', async () => {
    const leads = [roofQuoteLead('11'), roofQuoteLead('12'), roofQuoteLead('13')];
    const t = await setup(leads);
    for (const lead of leads) expect((await capture(t.deps, await t.receive(lead))).status).toBe('captured');
    expect(t.sandbox.requests.filter((r) => r.object === 'form')).toHaveLength(1);
  });

  it('flags a Lead Ads Testing Tool lead as a test', async () => {
    const lead = testingToolLead('21');
    const t = await setup([lead]);
    expect((await capture(t.deps, await t.receive(lead))).status).toBe('captured');
    expect(t.captured()[0]?.isTest).toBe(true);
  });

  it('retries a throttled or failing Graph call in-process and then captures', async () => {
    const throttled = roofQuoteLead('31');
    const broken = roofQuoteLead('32');
    const t = await setup([throttled, broken]);
    t.sandbox.fail(throttled.id, { kind: 'throttle', code: 613, status: 429, retryAfterSeconds: 0 }, 1);
    t.sandbox.fail(broken.id, { kind: 'server_error' }, 2);
    expect((await capture(t.deps, await t.receive(throttled))).status).toBe('captured');
    expect((await capture(t.deps, await t.receive(broken))).status).toBe('captured');
    expect(t.sandbox.requests.filter((r) => r.id === broken.id).map((r) => r.status)).toEqual([
      500, 500, 200,
    ]);
  });

  it('leaves the receipt for the queue to retry when Graph keeps failing', async () => {
    const lead = roofQuoteLead('41');
    const t = await setup([lead]);
    t.sandbox.fail(lead.id, { kind: 'server_error', status: 503 });
    const message = await t.receive(lead);
    await expect(capture(t.deps, message)).rejects.toBeInstanceOf(MetaTransientError);
    expect((await t.receiptStore.getReceipt(message))?.status).toBe('received');
    expect(t.bus.events).toEqual([]);
    t.sandbox.clearFailures();
    expect((await capture(t.deps, message)).status).toBe('captured');
  });

  const permanent = [
    [{ kind: 'token_expired' }, 'token_expired'],
    [{ kind: 'token_invalid' }, 'token_invalid'],
    [{ kind: 'permission' }, 'permission_missing'],
    [{ kind: 'not_found' }, 'lead_not_found'],
  ] as const;
  for (const [failure, reason] of permanent) {
    it(`marks the receipt failed and publishes SourceConnectionFailed (${reason})`, async () => {
      const lead = roofQuoteLead('51');
      const t = await setup([lead]);
      t.sandbox.fail(lead.id, failure);
      const message = await t.receive(lead);
      expect((await capture(t.deps, message)).status).toBe('failed');
      const receipt = await t.receiptStore.getReceipt(message);
      expect(receipt?.status).toBe('failed');
      expect(receipt?.statusReason).toContain(reason);
      const [event] = t.failures();
      expect(event).toMatchObject({
        version: '1',
        source: 'meta',
        platformLeadId: lead.id,
        reason,
        pageId: SANDBOX_PAGES.roofing,
      });
      expect(event?.fix).toContain('npm run replay -- --source meta --status failed');
      const text = JSON.stringify(event);
      for (const secret of ['joe@example.com', '+14155550123', 'Joe Example', 'EAAG-roof', APP_SECRET]) {
        expect(text).not.toContain(secret);
      }
      expect(t.captured()).toEqual([]);
      // A redelivered message does nothing more.
      expect((await capture(t.deps, message)).status).toBe('already-done');
      expect(t.failures()).toHaveLength(1);
    });
  }

  it('fails with token_missing when no token is configured for the page', async () => {
    const lead = roofQuoteLead('61');
    const t = await setup([lead], {
      META_PAGE_TOKENS: JSON.stringify({ [SANDBOX_PAGES.acme]: 'EAAG-acme' }),
    });
    expect((await capture(t.deps, await t.receive(lead))).status).toBe('failed');
    expect(t.failures()[0]).toMatchObject({ reason: 'token_missing', pageId: SANDBOX_PAGES.roofing });
    expect(t.sandbox.requests).toEqual([]);
  });

  it('captures a failed lead once it is replayed after the connection is repaired', async () => {
    const lead = roofQuoteLead('71');
    const other = roofQuoteLead('72');
    const t = await setup([lead, other]);
    t.sandbox.fail(lead.id, { kind: 'token_expired' });
    const message = await t.receive(lead);
    expect((await capture(t.deps, message)).status).toBe('failed');
    expect((await capture(t.deps, await t.receive(other))).status).toBe('captured');
    expect(
      (await t.receiptStore.listReceipts('meta', 'failed', 10)).receipts.map((r) => r.platformLeadId),
    ).toEqual([lead.id]);

    t.sandbox.clearFailures();
    t.captureQueue.sent.length = 0;
    const result = await replayReceipts(t.deps, { source: 'meta', status: 'failed' });
    expect(result.replayed).toEqual([message]);
    expect(t.captureQueue.sent).toEqual([message]);
    expect((await capture(t.deps, message)).status).toBe('captured');
    expect((await t.receiptStore.getReceipt(message))?.status).toBe('captured');
    expect((await t.receiptStore.listReceipts('meta', 'failed', 10)).receipts).toEqual([]);
  });

  it('fails a receipt whose payload is not a Meta notification, without a connection event', async () => {
    const t = await setup([]);
    await ingest(t.deps, { source: 'meta', platformLeadId: '81', payload: { nope: true } });
    expect((await capture(t.deps, { source: 'meta', platformLeadId: '81' })).status).toBe('failed');
    expect(t.failures()).toEqual([]);
  });
});
