import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HubConfig } from '../../lib/config.js';
import { createFormsHttpHandler } from '../../lib/handlers/http-forms.js';
import type { CaptureMessage, LeadStore } from '../../lib/ports.js';
import {
  fakeDeps,
  fixedClock,
  fixedSecrets,
  httpEvent,
  recordingQueue,
  testConfig,
} from '../support/fakes.js';
import { freshStore } from '../support/store.js';

const config: HubConfig = testConfig({
  defaults: { phoneCountry: 'GB' },
  forms: {
    contact: {
      allowedOrigins: ['https://www.example.com'],
      fields: { email: 'email', name: 'fullName', tel: 'phone', org: 'company' },
      required: ['email'],
      consents: [
        { field: 'news', purpose: 'marketing_email', text: 'Send me news', version: 'v1' },
        {
          field: 'terms',
          purpose: 'privacy_policy',
          text: 'I accept the notice',
          version: 'v2',
          required: true,
        },
      ],
      honeypot: 'website',
      maxBodyBytes: 2048,
    },
    partner: { requireSignature: true, required: ['email'] },
  },
});

async function setup(overrides: { store?: LeadStore } = {}) {
  const { store } = await freshStore();
  const captureQueue = recordingQueue<CaptureMessage>();
  const clock = fixedClock('2026-11-30T10:00:00.000Z');
  const deps = fakeDeps({
    store: overrides.store ?? store,
    captureQueue,
    config,
    clock,
    secrets: fixedSecrets({ LEADHUB_FORM_SECRET: 'form-secret', LEADHUB_PEPPER: 'p' }),
  });
  const handler = createFormsHttpHandler(deps);
  const post = (formId: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    handler(
      httpEvent({
        method: 'POST',
        routeKey: 'POST /forms/{formId}',
        path: `/forms/${formId}`,
        pathParameters: { formId },
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }),
    );
  return { store, captureQueue, clock, handler, post };
}

const body = (b: unknown) => JSON.parse(String(b));
const valid = {
  email: 'Jane@Example.com',
  name: 'jane doe',
  tel: '020 7946 0958',
  terms: 'on',
  interests: ['a', 'b'],
};

describe('POST /forms/{formId}', () => {
  it('stores a receipt, queues it for capture and answers 202', async () => {
    const { post, store, captureQueue } = await setup();
    const res = await post('contact', JSON.stringify(valid));
    expect(res.statusCode).toBe(202);
    const { submissionId, duplicate } = body(res.body);
    expect(duplicate).toBe(false);
    expect(captureQueue.sent).toEqual([{ source: 'form', platformLeadId: submissionId }]);
    const receipt = await store.getReceipt({ source: 'form', platformLeadId: submissionId });
    expect(receipt?.status).toBe('received');
    expect(receipt?.payload).toMatchObject({
      email: 'Jane@Example.com',
      fullName: 'jane doe',
      phone: '020 7946 0958',
      answers: [{ key: 'interests', values: ['a', 'b'] }],
      context: { ip: '203.0.113.7', userAgent: 'test-agent/1.0' },
    });
    const { consents } = (receipt as { payload: { consents: { purpose: string; granted: boolean }[] } })
      .payload;
    expect(consents.map((c) => [c.purpose, c.granted])).toEqual([
      ['marketing_email', false],
      ['privacy_policy', true],
    ]);
  });

  it('takes urlencoded posts, repeated fields included', async () => {
    const { post, store } = await setup();
    const res = await post('contact', 'email=a%40b.co&terms=on&news=on&topic=x&topic=y&utm_source=google', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.statusCode).toBe(202);
    const receipt = await store.getReceipt({ source: 'form', platformLeadId: body(res.body).submissionId });
    expect(receipt?.payload).toMatchObject({
      answers: [{ key: 'topic', values: ['x', 'y'] }],
      attribution: { utm: { source: 'google' } },
    });
  });

  it('answers a redelivery 2xx without queueing it again', async () => {
    const { post, captureQueue } = await setup();
    const first = await post('contact', JSON.stringify(valid));
    const again = await post('contact', JSON.stringify(valid));
    expect(again.statusCode).toBe(202);
    expect(body(again.body)).toMatchObject({ duplicate: true, submissionId: body(first.body).submissionId });
    expect(captureQueue.sent).toHaveLength(1);
  });

  it('re-queues a redelivered receipt that has waited too long for capture', async () => {
    const { post, captureQueue, clock } = await setup();
    await post('contact', JSON.stringify(valid));
    clock.set('2026-11-30T10:05:00.000Z');
    await post('contact', JSON.stringify(valid));
    expect(captureQueue.sent).toHaveLength(2);
  });

  it('uses submission_id or Idempotency-Key as the dedupe key when given', async () => {
    const { post } = await setup();
    const a = await post('contact', JSON.stringify({ ...valid, submission_id: 'abc-1' }));
    const b = await post('contact', JSON.stringify({ ...valid, name: 'Other' }), {
      'idempotency-key': 'abc-1',
    });
    expect(body(a.body).submissionId).toBe('s_abc-1');
    expect(body(b.body)).toMatchObject({ submissionId: 's_abc-1', duplicate: true });
  });

  it('drops a filled honeypot with a 202 and stores nothing', async () => {
    const { post, store, captureQueue } = await setup();
    const res = await post('contact', JSON.stringify({ ...valid, website: 'http://spam.example' }));
    expect(res.statusCode).toBe(202);
    expect(body(res.body).submissionId).toBeUndefined();
    expect(captureQueue.sent).toHaveLength(0);
    expect((await store.listLeads(10)).leads).toHaveLength(0);
  });

  it('answers 404 for an unknown form, including inherited object keys', async () => {
    const { post } = await setup();
    for (const formId of ['nope', '__proto__', 'constructor']) {
      const res = await post(formId, JSON.stringify(valid));
      expect(res.statusCode).toBe(404);
      expect(body(res.body).error).toBe('unknown_form');
    }
  });

  it('answers 400 listing each invalid field, and queues nothing', async () => {
    const { post, captureQueue } = await setup();
    const res = await post(
      'contact',
      JSON.stringify({ email: 'not-an-email', tel: '12', country: 'Narnia' }),
    );
    expect(res.statusCode).toBe(400);
    const fields = body(res.body)
      .fields.map((f: { field: string }) => f.field)
      .sort();
    expect(fields).toEqual(['country', 'email', 'phone', 'terms']);
    expect(captureQueue.sent).toHaveLength(0);
  });

  it('answers 400 when a required field is missing', async () => {
    const { post } = await setup();
    const res = await post('contact', JSON.stringify({ terms: 'on' }));
    expect(res.statusCode).toBe(400);
    expect(body(res.body).fields).toEqual([{ field: 'email', message: 'is required' }]);
  });

  it('answers 400 for malformed JSON, a non-object body and nested values', async () => {
    const { post } = await setup();
    for (const bad of ['{"email":', '[1,2]', '"text"', JSON.stringify({ email: { nested: true } })]) {
      const res = await post('contact', bad);
      expect(res.statusCode).toBe(400);
      expect(body(res.body).error).toBe('malformed_body');
    }
  });

  it('answers 415 for other content types', async () => {
    const { post } = await setup();
    const res = await post('contact', 'email=a@b.co', { 'content-type': 'text/plain' });
    expect(res.statusCode).toBe(415);
  });

  it('answers 413 for a body over the configured size', async () => {
    const { post, captureQueue } = await setup();
    const res = await post('contact', JSON.stringify({ ...valid, message: 'x'.repeat(3000) }));
    expect(res.statusCode).toBe(413);
    expect(body(res.body).error).toBe('body_too_large');
    expect(captureQueue.sent).toHaveLength(0);
  });

  it('verifies X-LeadHub-Signature over the raw bytes', async () => {
    const { post, captureQueue } = await setup();
    const raw = JSON.stringify({ email: 'partner@example.com' });
    const sign = (b: string, secret = 'form-secret') =>
      `sha256=${createHmac('sha256', secret).update(b).digest('hex')}`;
    expect((await post('partner', raw)).statusCode).toBe(401);
    expect((await post('partner', raw, { 'x-leadhub-signature': sign(raw, 'wrong') })).statusCode).toBe(401);
    expect((await post('partner', raw, { 'x-leadhub-signature': 'sha256=zz' })).statusCode).toBe(401);
    expect((await post('partner', `${raw} `, { 'x-leadhub-signature': sign(raw) })).statusCode).toBe(401);
    expect(captureQueue.sent).toHaveLength(0);
    expect((await post('partner', raw, { 'x-leadhub-signature': sign(raw) })).statusCode).toBe(202);
    // An optional signature that is present must still be right.
    const contact = JSON.stringify(valid);
    expect((await post('contact', contact, { 'x-leadhub-signature': sign(contact, 'bad') })).statusCode).toBe(
      401,
    );
  });

  it('honours CORS: preflight and posts from allowed origins only', async () => {
    const { handler, post } = await setup();
    const preflight = (origin: string) =>
      handler(
        httpEvent({
          method: 'OPTIONS',
          routeKey: 'OPTIONS /forms/{formId}',
          path: '/forms/contact',
          pathParameters: { formId: 'contact' },
          headers: { origin, 'access-control-request-method': 'POST' },
        }),
      );
    const ok = await preflight('https://www.example.com');
    expect(ok.statusCode).toBe(204);
    expect(ok.headers?.['access-control-allow-origin']).toBe('https://www.example.com');
    expect((await preflight('https://evil.example')).statusCode).toBe(403);
    const posted = await post('contact', JSON.stringify(valid), { origin: 'https://www.example.com' });
    expect(posted.headers?.['access-control-allow-origin']).toBe('https://www.example.com');
    const refused = await post('contact', JSON.stringify(valid), { origin: 'https://evil.example' });
    expect(refused.statusCode).toBe(403);
  });

  it('answers 503 when the receipt cannot be stored, so the poster retries', async () => {
    const { store } = await freshStore();
    const failing: LeadStore = { ...store, putReceipt: async () => Promise.reject(new Error('throttled')) };
    const { post, captureQueue } = await setup({ store: failing });
    const res = await post('contact', JSON.stringify(valid));
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBeDefined();
    expect(captureQueue.sent).toHaveLength(0);
  });
});
