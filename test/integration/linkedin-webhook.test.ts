import { describe, expect, it } from 'vitest';
import type { LeadDeletedV1 } from '../../events/contracts.js';
import { createWebhooksHttpHandler } from '../../lib/handlers/http-webhooks.js';
import { leadIdFor } from '../../lib/lead/identity.js';
import { capture } from '../../lib/pipeline/capture.js';
import type { CaptureMessage, EventBus, ReceiptStore } from '../../lib/ports.js';
import { linkedInResponse } from '../../lib/sandbox/linkedin-fixtures.js';
import {
  type LinkedInNotification,
  leadNotification,
  linkedInChallengeResponse,
  linkedInWebhookBody,
  signLinkedInBody,
} from '../../lib/sandbox/linkedin-webhook.js';
import { fakeDeps, fixedSecrets, httpEvent, recordingBus, recordingQueue } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

const SECRET = 'linkedin-client-secret';

async function setup(
  overrides: { receipts?: ReceiptStore; bus?: EventBus; secret?: string | undefined } = {},
) {
  const { store, receiptStore } = await freshStore();
  const captureQueue = recordingQueue<CaptureMessage>();
  const bus = recordingBus();
  const deps = fakeDeps({
    store,
    receipts: overrides.receipts ?? receiptStore,
    captureQueue,
    bus: overrides.bus ?? bus,
    secrets: fixedSecrets({
      ...('secret' in overrides
        ? overrides.secret
          ? { LINKEDIN_CLIENT_SECRET: overrides.secret }
          : {}
        : { LINKEDIN_CLIENT_SECRET: SECRET }),
      LEADHUB_PEPPER: 'p',
    }),
  });
  const handler = createWebhooksHttpHandler(deps);
  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    handler(
      httpEvent({
        method: 'POST',
        routeKey: 'POST /webhooks/linkedin',
        path: '/webhooks/linkedin',
        headers,
        body,
      }),
    );
  const signed = (body: string, variant: 'A' | 'B' = 'A', secret = SECRET) =>
    post(body, { 'x-li-signature': signLinkedInBody(body, secret, variant) });
  const deliver = (notifications: LinkedInNotification[], variant: 'A' | 'B' = 'A') =>
    signed(linkedInWebhookBody(notifications), variant);
  const get = (query: Record<string, string>) =>
    handler(
      httpEvent({ method: 'GET', routeKey: 'GET /webhooks/linkedin', path: '/webhooks/linkedin', query }),
    );
  const receipt = (id: string) => receiptStore.getReceipt({ source: 'linkedin', platformLeadId: id });
  const deletions = () =>
    bus.events.filter((e) => e.detailType === 'LeadDeleted').map((e) => e.detail as LeadDeletedV1);
  return { deps, store, receiptStore, bus, captureQueue, post, signed, deliver, get, receipt, deletions };
}

const a = linkedInResponse('aaaaaaaa-0001-4000-8000-000000000001-1');
const b = linkedInResponse('aaaaaaaa-0001-4000-8000-000000000002-1');
const c = linkedInResponse('aaaaaaaa-0001-4000-8000-000000000003-1');
const OCCURRED = 1764496800123;
const created = (r: typeof a) => leadNotification(r, 'CREATED', OCCURRED);
const deleted = (r: typeof a) => leadNotification(r, 'DELETED', OCCURRED + 60_000);
const json = (body: string | undefined) => JSON.parse(body ?? '{}') as Record<string, unknown>;

describe('GET /webhooks/linkedin (validation challenge)', () => {
  it('answers 200 JSON with the code and its HMAC keyed with the client secret', async () => {
    const { get } = await setup();
    const code = '890e4665-4dfe-4ab1-b689-ed553bceeed0';
    const res = await get({ challengeCode: code });
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/^application\/json/);
    expect(json(res.body)).toEqual({
      challengeCode: code,
      challengeResponse: linkedInChallengeResponse(code, SECRET),
    });
    // Parent-child apps add applicationId; the answer is the same.
    expect(json((await get({ challengeCode: code, applicationId: '77' })).body).challengeResponse).toBe(
      linkedInChallengeResponse(code, SECRET),
    );
  });

  it('answers 400 without a usable code, and 503 when the client secret is not configured', async () => {
    const { get } = await setup();
    expect((await get({})).statusCode).toBe(400);
    expect((await get({ challengeCode: '<script>' })).statusCode).toBe(400);
    const unconfigured = await setup({ secret: undefined });
    expect((await unconfigured.get({ challengeCode: 'abc' })).statusCode).toBe(503);
  });
});

describe('POST /webhooks/linkedin (lead notifications)', () => {
  it('stores one receipt per CREATED response id, with the signature reading it matched, and queues it', async () => {
    const { deliver, captureQueue, receipt } = await setup();
    const res = await deliver([created(a)], 'A');
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 1, duplicates: 0, deleted: 0, signatureVariant: 'A' });
    expect(captureQueue.sent).toEqual([{ source: 'linkedin', platformLeadId: a.id }]);
    expect(await receipt(a.id)).toMatchObject({
      status: 'received',
      payload: {
        responseId: a.id,
        action: 'CREATED',
        formId: '7234246',
        formVersion: '2',
        leadType: 'SPONSORED',
        owner: { sponsoredAccount: 'urn:li:sponsoredAccount:507404993' },
        associatedEntity: { sponsoredCreative: 'urn:li:sponsoredCreative:241257736' },
        occurredAt: new Date(OCCURRED).toISOString(),
        signatureVariant: 'A',
      },
    });
  });

  it('accepts the other signature reading and records it', async () => {
    const { deliver, receipt } = await setup();
    const res = await deliver([created(b)], 'B');
    expect(json(res.body)).toMatchObject({ accepted: 1, signatureVariant: 'B' });
    expect(await receipt(b.id)).toMatchObject({ payload: { signatureVariant: 'B' } });
  });

  it('takes an array of notifications, and acknowledges redeliveries without queueing them again', async () => {
    const { deliver, captureQueue } = await setup();
    expect(json((await deliver([created(a), created(b)])).body)).toMatchObject({ accepted: 2 });
    const again = await deliver([created(a), created(b), created(c)]);
    expect(again.statusCode).toBe(200);
    expect(json(again.body)).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(captureQueue.sent.map((m) => m.platformLeadId)).toEqual([a.id, b.id, c.id]);
  });

  it('answers 401 and stores nothing without a valid signature', async () => {
    const { post, signed, captureQueue, receipt } = await setup();
    const body = linkedInWebhookBody([created(a)]);
    const cases = [
      await post(body),
      await post(body, { 'x-li-signature': 'hmacsha256=' }),
      await signed(body, 'A', 'not-the-secret'),
      await signed(body, 'B', 'not-the-secret'),
      await post(body.replace('CREATED', 'DELETED'), { 'x-li-signature': signLinkedInBody(body, SECRET) }),
    ];
    for (const res of cases) {
      expect(res.statusCode).toBe(401);
      expect(json(res.body).error).toBe('bad_signature');
    }
    expect(captureQueue.sent).toEqual([]);
    expect(await receipt(a.id)).toBeUndefined();
  });

  it('verifies a base64-encoded body on its raw bytes', async () => {
    const { post, captureQueue } = await setup();
    const bytes = Buffer.from(linkedInWebhookBody([created(a)]));
    const res = await post(bytes, { 'x-li-signature': signLinkedInBody(bytes, SECRET) });
    expect(res.statusCode).toBe(200);
    expect(captureQueue.sent).toHaveLength(1);
  });

  it('answers 400 to a signed body that is not a notification, 200 to other notification types', async () => {
    const { signed, captureQueue } = await setup();
    for (const body of ['{"type":', '[]', '"x"', 'null']) {
      const res = await signed(body);
      expect(res.statusCode, body).toBe(400);
    }
    const other = await signed('{"type":"ORGANIZATION_SOCIAL_ACTION","leadAction":"CREATED"}');
    expect(other.statusCode).toBe(200);
    expect(json(other.body)).toMatchObject({ accepted: 0, ignored: 1 });
    expect(captureQueue.sent).toEqual([]);
  });

  it('stores a creation whose other fields cannot be read, leaving out only those fields', async () => {
    const { deliver, captureQueue, receipt } = await setup();
    const res = await deliver([{ ...created(a), owner: 'acme', occurredAt: { at: 1 } } as never]);
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 1, quarantined: 0 });
    expect(captureQueue.sent).toEqual([{ source: 'linkedin', platformLeadId: a.id }]);
    const stored = await receipt(a.id);
    expect(stored?.payload).toMatchObject({ responseId: a.id, action: 'CREATED' });
    expect(stored?.payload).not.toHaveProperty('owner');
  });

  it('quarantines a lead action without a usable response id, with the signature reading, and answers 200', async () => {
    const { deliver, captureQueue, receiptStore } = await setup();
    const res = await deliver(
      [created(b), { ...created(a), leadGenFormResponse: 'urn:li:leadGenFormResponse:a b' }],
      'B',
    );
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 1, quarantined: 1 });
    expect(captureQueue.sent).toEqual([{ source: 'linkedin', platformLeadId: b.id }]);
    const { receipts } = await receiptStore.listReceipts('linkedin', 'quarantined', 10);
    expect(receipts).toMatchObject([
      {
        quarantineKind: 'delivery',
        statusReason: 'lead action without a usable leadGenFormResponse',
        payload: { context: { signatureVariant: 'B' } },
      },
    ]);
  });

  it('answers 500 when a receipt is not durable, and the retry completes', async () => {
    const { receiptStore } = await freshStore();
    let failing = true;
    const flaky: ReceiptStore = {
      ...receiptStore,
      putReceipt: async (r) => {
        if (failing && r.platformLeadId === b.id) throw new Error('ProvisionedThroughputExceeded');
        return receiptStore.putReceipt(r);
      },
    };
    const { deliver, captureQueue } = await setup({ receipts: flaky });
    expect((await deliver([created(a), created(b)])).statusCode).toBe(500);
    failing = false;
    const retry = await deliver([created(a), created(b)]);
    expect(retry.statusCode).toBe(200);
    expect(json(retry.body)).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(new Set(captureQueue.sent.map((m) => m.platformLeadId))).toEqual(new Set([a.id, b.id]));
  });
});

describe('POST /webhooks/linkedin (DELETED)', () => {
  it('leaves a tombstone when DELETED comes first, so a late CREATED is not captured', async () => {
    const { deliver, captureQueue, receipt, deletions } = await setup();
    const res = await deliver([deleted(a)]);
    expect(json(res.body)).toMatchObject({ deleted: 1, accepted: 0 });
    expect(await receipt(a.id)).toMatchObject({
      status: 'deleted',
      statusReason: expect.stringContaining('deleted on LinkedIn'),
    });
    expect(deletions()).toEqual([
      {
        version: '1',
        leadId: leadIdFor('linkedin', a.id),
        source: 'linkedin',
        platformLeadId: a.id,
        captured: false,
        formId: '7234246',
        reason: 'deleted_on_platform',
        deletedAt: new Date(OCCURRED + 60_000).toISOString(),
        receivedAt: '2026-11-30T10:00:00.000Z',
      },
    ]);
    const late = await deliver([created(a)]);
    expect(json(late.body)).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(captureQueue.sent).toEqual([]);
    expect((await receipt(a.id))?.status).toBe('deleted');
  });

  it('marks a queued lead deleted, so capture does not store it', async () => {
    const t = await setup();
    await t.deliver([created(a)]);
    await t.deliver([deleted(a)]);
    expect((await t.receipt(a.id))?.status).toBe('deleted');
    expect(await capture(t.deps, { source: 'linkedin', platformLeadId: a.id })).toEqual({
      status: 'already-done',
    });
    expect(t.deletions()).toMatchObject([{ captured: false, platformLeadId: a.id }]);
  });

  it('marks a captured lead deleted and tells CRMs its lead and contact ids', async () => {
    const t = await setup();
    await t.deliver([created(a)]);
    const key = { source: 'linkedin' as const, platformLeadId: a.id };
    await t.receiptStore.updateReceipt(key, {
      status: 'captured',
      leadId: 'ld_captured',
      contactId: 'ct_person',
    });
    const res = await t.deliver([deleted(a)]);
    expect(json(res.body)).toMatchObject({ deleted: 1 });
    expect(await t.receipt(a.id)).toMatchObject({
      status: 'deleted',
      leadId: 'ld_captured',
      contactId: 'ct_person',
    });
    expect(t.deletions()).toMatchObject([{ leadId: 'ld_captured', contactId: 'ct_person', captured: true }]);
    // LinkedIn redelivers the deletion: nothing new.
    const again = await t.deliver([deleted(a)]);
    expect(json(again.body)).toMatchObject({ deleted: 0, duplicates: 1 });
    expect(t.deletions()).toHaveLength(1);
  });

  it('ends deleted when one delivery holds both the creation and the deletion, in any order', async () => {
    const t = await setup();
    const res = await t.deliver([deleted(a), created(a)]);
    expect(json(res.body)).toMatchObject({ accepted: 1, deleted: 1 });
    expect((await t.receipt(a.id))?.status).toBe('deleted');
    expect(await capture(t.deps, { source: 'linkedin', platformLeadId: a.id })).toEqual({
      status: 'already-done',
    });
  });

  it('answers 500 when the event cannot be published, and marks nothing until the retry', async () => {
    let down = true;
    const bus = recordingBus();
    const flakyBus: EventBus = {
      publish: async (events) => {
        if (down) throw new Error('EventBridge unavailable');
        return bus.publish(events);
      },
    };
    const t = await setup({ bus: flakyBus });
    await t.deliver([created(a)]);
    expect((await t.deliver([deleted(a)])).statusCode).toBe(500);
    expect((await t.receipt(a.id))?.status).toBe('received');
    down = false;
    expect((await t.deliver([deleted(a)])).statusCode).toBe(200);
    expect((await t.receipt(a.id))?.status).toBe('deleted');
    expect(bus.events.map((e) => e.detailType)).toEqual(['LeadDeleted']);
  });
});
