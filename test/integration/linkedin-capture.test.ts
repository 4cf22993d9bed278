import { afterEach, describe, expect, it } from 'vitest';
import type { LeadCapturedV2, SourceConnectionFailedV1 } from '../../events/contracts.js';
import { parseEnv } from '../../lib/config.js';
import { sha256Hex } from '../../lib/lead/identity.js';
import { capture } from '../../lib/pipeline/capture.js';
import { ingest } from '../../lib/pipeline/ingest.js';
import { replayReceipts } from '../../lib/pipeline/replay.js';
import type { CaptureMessage, ReceiptStore, SecretName } from '../../lib/ports.js';
import {
  type LinkedInSandbox,
  type LinkedInSandboxFailure,
  type SandboxLinkedInResponse,
  startLinkedInSandbox,
} from '../../lib/sandbox/linkedin-api.js';
import { LINKEDIN_FORM_ID, linkedInDemoForm, linkedInResponse } from '../../lib/sandbox/linkedin-fixtures.js';
import { leadNotification } from '../../lib/sandbox/linkedin-webhook.js';
import { LinkedInTransientError } from '../../lib/sources/linkedin/fetch.js';
import { type LinkedInLeadNotification, parseLinkedInWebhook } from '../../lib/sources/linkedin/parse.js';
import { LinkedInLeadWithdrawnError } from '../../lib/sources/linkedin/receipt.js';
import { fakeDeps, fixedSecrets, recordingBus, recordingQueue } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

const TOKEN = 'AQV-member-token';

let sandbox: LinkedInSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function setup(
  responses: SandboxLinkedInResponse[],
  options: {
    secrets?: Partial<Record<SecretName, string>>;
    receipts?: (s: ReceiptStore) => ReceiptStore;
  } = {},
) {
  sandbox = await startLinkedInSandbox({ tokens: [TOKEN], forms: [linkedInDemoForm], responses });
  const { store, receiptStore } = await freshStore();
  const bus = recordingBus();
  const captureQueue = recordingQueue<CaptureMessage>();
  const deps = fakeDeps({
    store,
    receipts: options.receipts ? options.receipts(receiptStore) : receiptStore,
    bus,
    captureQueue,
    env: parseEnv({ LINKEDIN_API_URL: sandbox.url, LINKEDIN_API_VERSION: '202611' }),
    secrets: fixedSecrets({ LEADHUB_PEPPER: 'pepper', LINKEDIN_ACCESS_TOKEN: TOKEN, ...options.secrets }),
  });
  /** What the webhook handler stores: the parsed notification. */
  const receive = async (response: SandboxLinkedInResponse) => {
    const parsed = parseLinkedInWebhook(Buffer.from(JSON.stringify(leadNotification(response))));
    if (!parsed.ok) throw new Error(parsed.message);
    const payload: LinkedInLeadNotification = {
      ...(parsed.notifications[0] as LinkedInLeadNotification),
      signatureVariant: 'A',
    };
    await ingest(deps, { source: 'linkedin', platformLeadId: response.id, payload });
    return { source: 'linkedin' as const, platformLeadId: response.id };
  };
  const captured = () =>
    bus.events.filter((e) => e.detailType === 'LeadCaptured').map((e) => e.detail as LeadCapturedV2);
  const failures = () =>
    bus.events
      .filter((e) => e.detailType === 'SourceConnectionFailed')
      .map((e) => e.detail as SourceConnectionFailedV1);
  return { deps, store, receiptStore, bus, receive, captured, failures, sandbox };
}

describe('capture of LinkedIn leads (against the LinkedIn sandbox)', () => {
  it('fetches the response and its form version, and stores the lead, its answers and its consents', async () => {
    const response = linkedInResponse('resp-0001-1');
    const t = await setup([response]);
    const outcome = await capture(t.deps, await t.receive(response));
    if (outcome.status !== 'captured') throw new Error(`not captured: ${outcome.status}`);

    const [event] = t.captured();
    expect(event).toMatchObject({
      leadId: outcome.leadId,
      source: 'linkedin',
      platformLeadId: 'resp-0001-1',
    });
    const stored = await t.store.getLead(outcome.leadId);
    expect(stored).toMatchObject({
      source: 'linkedin',
      platformLeadId: 'resp-0001-1',
      isTest: false,
      email: 'maria.garcia@acme-robotics.com',
      phone: '+14155552671',
      firstName: 'Maria',
      lastName: 'Garcia',
      company: 'Acme Robotics',
      jobTitle: 'VP Sales',
      country: 'US',
      attribution: {
        source: 'linkedin',
        formId: LINKEDIN_FORM_ID,
        campaignId: '198356826',
        adId: '241257736',
        utm: { source: 'linkedin', campaign: 'q4-demos' },
      },
    });
    expect(stored?.answers).toContainEqual({
      key: 'interests',
      label: 'Which products interest you?',
      values: ['Lead routing', 'CRM sync'],
    });

    const consents = (await t.store.getContact(outcome.contactId))?.consents ?? [];
    expect(consents.map((c) => [c.key, c.granted, c.method]).sort()).toEqual([
      ['consent_0', true, 'platform_checkbox'],
      ['consent_1', true, 'platform_checkbox'],
    ]);
    const text = 'Yes, send me product news and offers by email. I can unsubscribe at any time.';
    expect(consents.find((c) => c.key === 'consent_0')).toMatchObject({
      noticeText: text,
      noticeHash: sha256Hex(text),
      noticeVersion: 'linkedin-legal-4412',
      source: 'linkedin',
      formId: LINKEDIN_FORM_ID,
      at: new Date(response.submittedAt).toISOString(),
    });
    expect(t.sandbox.requests.map((r) => [r.object, r.id, r.version, r.restli])).toEqual([
      ['lead', 'resp-0001-1', '202611', '2.0.0'],
      ['form', LINKEDIN_FORM_ID, '202611', '2.0.0'],
    ]);
  });

  it('reads each form version once for many leads', async () => {
    const responses = [linkedInResponse('r-1'), linkedInResponse('r-2'), linkedInResponse('r-3')];
    const t = await setup(responses);
    for (const r of responses) expect((await capture(t.deps, await t.receive(r))).status).toBe('captured');
    expect(t.sandbox.requests.filter((r) => r.object === 'form')).toHaveLength(1);
  });

  it('flags a test lead as a test', async () => {
    const response = linkedInResponse('r-test', undefined, { testLead: true });
    const t = await setup([response]);
    expect((await capture(t.deps, await t.receive(response))).status).toBe('captured');
    expect(t.captured()[0]?.isTest).toBe(true);
  });

  it('retries throttling and 5xx in-process, then captures', async () => {
    const throttled = linkedInResponse('r-throttled');
    const broken = linkedInResponse('r-broken');
    const t = await setup([throttled, broken]);
    t.sandbox.fail(throttled.id, { kind: 'throttle', retryAfterSeconds: 0 }, 1);
    t.sandbox.fail(broken.id, { kind: 'server_error', status: 503 }, 2);
    expect((await capture(t.deps, await t.receive(throttled))).status).toBe('captured');
    expect((await capture(t.deps, await t.receive(broken))).status).toBe('captured');
    expect(t.sandbox.requests.filter((r) => r.id === broken.id).map((r) => r.status)).toEqual([
      503, 503, 200,
    ]);
  });

  it('leaves the receipt for the queue to retry when LinkedIn keeps failing', async () => {
    const response = linkedInResponse('r-down');
    const t = await setup([response]);
    t.sandbox.fail(response.id, { kind: 'server_error' });
    const message = await t.receive(response);
    await expect(capture(t.deps, message)).rejects.toBeInstanceOf(LinkedInTransientError);
    expect((await t.receiptStore.getReceipt(message))?.status).toBe('received');
    expect(t.bus.events).toEqual([]);
    t.sandbox.clearFailures();
    expect((await capture(t.deps, message)).status).toBe('captured');
  });

  const permanent: [LinkedInSandboxFailure, string][] = [
    [{ kind: 'token_expired' }, 'token_expired'],
    [{ kind: 'token_revoked' }, 'token_invalid'],
    [{ kind: 'permission' }, 'permission_missing'],
    [{ kind: 'not_found' }, 'lead_not_found'],
    [{ kind: 'version_sunset' }, 'request_rejected'],
  ];
  for (const [failure, reason] of permanent) {
    it(`marks the receipt failed, publishes SourceConnectionFailed (${reason}) and captures on replay`, async () => {
      const response = linkedInResponse('r-perm');
      const t = await setup([response]);
      t.sandbox.fail(response.id, failure);
      const message = await t.receive(response);
      expect((await capture(t.deps, message)).status).toBe('failed');
      const receipt = await t.receiptStore.getReceipt(message);
      expect(receipt).toMatchObject({ status: 'failed', statusReason: expect.stringContaining(reason) });
      const [event] = t.failures();
      expect(event).toMatchObject({ version: '1', source: 'linkedin', platformLeadId: response.id, reason });
      expect(event?.fix).toContain('npm run replay -- --source linkedin --status failed');
      const text = JSON.stringify(event);
      for (const secret of ['maria.garcia@acme-robotics.com', '+14155552671', 'Garcia', TOKEN]) {
        expect(text).not.toContain(secret);
      }
      expect(t.captured()).toEqual([]);
      expect((await capture(t.deps, message)).status).toBe('already-done');

      t.sandbox.clearFailures();
      const replay = await replayReceipts(t.deps, { source: 'linkedin', status: 'failed' });
      expect(replay.replayed).toEqual([message]);
      expect((await capture(t.deps, message)).status).toBe('captured');
    });
  }

  it('names the form when its read fails', async () => {
    const response = linkedInResponse('r-form');
    const t = await setup([response]);
    t.sandbox.fail(LINKEDIN_FORM_ID, { kind: 'permission' });
    expect((await capture(t.deps, await t.receive(response))).status).toBe('failed');
    expect(t.failures()[0]).toMatchObject({ reason: 'permission_missing', formId: LINKEDIN_FORM_ID });
  });

  it('fails as token_missing without LINKEDIN_ACCESS_TOKEN, reading nothing', async () => {
    const response = linkedInResponse('r-notoken');
    const t = await setup([response], { secrets: { LINKEDIN_ACCESS_TOKEN: '' } });
    expect((await capture(t.deps, await t.receive(response))).status).toBe('failed');
    expect(t.failures()[0]).toMatchObject({ reason: 'token_missing' });
    expect(t.sandbox.requests).toEqual([]);
  });

  it('stops, and leaves the deletion standing, when the lead is deleted while being fetched', async () => {
    const response = linkedInResponse('r-race');
    let stale = true;
    // Capture read the receipt as `received` just before LinkedIn's DELETED marked it.
    const t = await setup([response], {
      receipts: (s) => ({
        ...s,
        getReceipt: async (key) => {
          const receipt = await s.getReceipt(key);
          if (stale && receipt) {
            stale = false;
            return { ...receipt, status: 'received' };
          }
          return receipt;
        },
      }),
    });
    const message = await t.receive(response);
    stale = false;
    await t.receiptStore.updateReceipt(message, { status: 'deleted', statusReason: 'deleted on LinkedIn' });
    stale = true;
    await expect(capture(t.deps, message)).rejects.toBeInstanceOf(LinkedInLeadWithdrawnError);
    expect((await t.receiptStore.getReceipt(message))?.status).toBe('deleted');
    expect(t.captured()).toEqual([]);
    expect(await capture(t.deps, message)).toEqual({ status: 'already-done' });
  });

  it('treats a 404 for a lead deleted meanwhile as the deletion, not a connection failure', async () => {
    const response = linkedInResponse('r-gone');
    let stale = true;
    const t = await setup([], {
      receipts: (s) => ({
        ...s,
        getReceipt: async (key) => {
          const receipt = await s.getReceipt(key);
          if (stale && receipt) {
            stale = false;
            return { ...receipt, status: 'received' };
          }
          return receipt;
        },
      }),
    });
    const message = await t.receive(response);
    stale = false;
    await t.receiptStore.updateReceipt(message, { status: 'deleted', statusReason: 'deleted on LinkedIn' });
    stale = true;
    await expect(capture(t.deps, message)).rejects.toBeInstanceOf(LinkedInLeadWithdrawnError);
    expect(t.failures()).toEqual([]);
    expect((await t.receiptStore.getReceipt(message))?.status).toBe('deleted');
  });
});
