import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HubConfig } from '../../lib/config.js';
import { createFormsHttpHandler } from '../../lib/handlers/http-forms.js';
import type { CaptureMessage, ReceiptStore } from '../../lib/ports.js';
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
    newsletter: { required: ['email'] },
    open: { maxBodyBytes: 256 * 1024 },
  },
});

async function setup(overrides: { receipts?: ReceiptStore } = {}) {
  const { store, receiptStore } = await freshStore();
  const captureQueue = recordingQueue<CaptureMessage>();
  const clock = fixedClock('2026-11-30T10:00:00.000Z');
  const deps = fakeDeps({
    store,
    receipts: overrides.receipts ?? receiptStore,
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
  return { store, receiptStore, captureQueue, clock, handler, post };
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
    const { post, receiptStore, captureQueue } = await setup();
    const res = await post('contact', JSON.stringify(valid));
    expect(res.statusCode).toBe(202);
    const { submissionId, duplicate } = body(res.body);
    expect(duplicate).toBe(false);
    expect(captureQueue.sent).toEqual([{ source: 'form', platformLeadId: submissionId }]);
    const receipt = await receiptStore.getReceipt({ source: 'form', platformLeadId: submissionId });
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
    const { post, receiptStore } = await setup();
    const res = await post('contact', 'email=a%40b.co&terms=on&news=on&topic=x&topic=y&utm_source=google', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.statusCode).toBe(202);
    const receipt = await receiptStore.getReceipt({
      source: 'form',
      platformLeadId: body(res.body).submissionId,
    });
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

  it('uses submission_id or Idempotency-Key, scoped to the form, as the dedupe key when given', async () => {
    const { post, captureQueue } = await setup();
    const a = await post('contact', JSON.stringify({ ...valid, submission_id: 'abc-1' }));
    const b = await post('contact', JSON.stringify(valid), { 'idempotency-key': 'abc-1' });
    expect(body(a.body)).toMatchObject({
      submissionId: 's_contact:abc-1',
      duplicate: false,
      conflict: false,
    });
    // The id is the key, not content: the same fields under the same id, by header or field, are a retry.
    expect(body(b.body)).toMatchObject({ submissionId: 's_contact:abc-1', duplicate: true, conflict: false });
    expect(captureQueue.sent).toHaveLength(1);
  });

  describe('a reused or guessed id never drops a submission', () => {
    const pending = (receiptStore: ReceiptStore, platformLeadId: string) =>
      receiptStore.getReceipt({ source: 'form', platformLeadId });

    it('gives two forms that reuse a submission_id a lead each', async () => {
      const { post, receiptStore, captureQueue } = await setup();
      const a = body((await post('contact', JSON.stringify({ ...valid, submission_id: '1001' }))).body);
      const b = body(
        (await post('newsletter', JSON.stringify({ email: 'ann@example.org', submission_id: '1001' }))).body,
      );
      expect([a.duplicate, b.duplicate, a.conflict, b.conflict]).toEqual([false, false, false, false]);
      expect(a.submissionId).not.toBe(b.submissionId);
      expect(captureQueue.sent).toHaveLength(2);
      expect((await pending(receiptStore, b.submissionId))?.payload).toMatchObject({
        email: 'ann@example.org',
      });
    });

    it('gives two forms that reuse an Idempotency-Key a lead each', async () => {
      const { post, captureQueue } = await setup();
      const key = { 'idempotency-key': 'k-42' };
      const a = body((await post('contact', JSON.stringify(valid), key)).body);
      const b = body((await post('newsletter', JSON.stringify({ email: 'ann@example.org' }), key)).body);
      expect([a.duplicate, b.duplicate]).toEqual([false, false]);
      expect(a.submissionId).not.toBe(b.submissionId);
      expect(captureQueue.sent).toHaveLength(2);
    });

    it.each([
      [
        'submission_id',
        (fields: object) => [JSON.stringify({ ...fields, submission_id: 'next-7' }), {}] as const,
      ],
      [
        'Idempotency-Key',
        (fields: object) => [JSON.stringify(fields), { 'idempotency-key': 'next-7' }] as const,
      ],
    ])(
      'keeps a real submission whose %s was claimed first with other content, and reports it',
      async (_, send) => {
        const { post, receiptStore, captureQueue } = await setup();
        const claim = { email: 'squatter@example.net', terms: 'on' };
        const squatted = body((await post('contact', ...send(claim))).body);
        const real = await post('contact', ...send(valid));
        expect(real.statusCode).toBe(202);
        const answer = body(real.body);
        expect(answer).toMatchObject({ status: 'accepted', duplicate: false, conflict: true });
        expect(answer.submissionId).not.toBe(squatted.submissionId);
        expect(captureQueue.sent.map((m) => m.platformLeadId)).toEqual([
          squatted.submissionId,
          answer.submissionId,
        ]);

        const receipt = await pending(receiptStore, answer.submissionId);
        expect(receipt).toMatchObject({ status: 'received', conflictWith: squatted.submissionId });
        expect(receipt?.payload).toMatchObject({
          email: 'Jane@Example.com',
          platformLeadId: answer.submissionId,
        });
        expect((await pending(receiptStore, squatted.submissionId))?.payload).toMatchObject({
          email: 'squatter@example.net',
        });

        // A retry of either is a duplicate of its own receipt: nothing new is stored or queued.
        const retry = body((await post('contact', ...send(valid))).body);
        expect(retry).toMatchObject({ submissionId: answer.submissionId, duplicate: true, conflict: true });
        const squatRetry = body((await post('contact', ...send(claim))).body);
        expect(squatRetry).toMatchObject({
          submissionId: squatted.submissionId,
          duplicate: true,
          conflict: false,
        });
        expect(captureQueue.sent).toHaveLength(2);

        // A third content under the same id is a third submission.
        const third = body((await post('contact', ...send({ ...valid, name: 'jane q doe' }))).body);
        expect(third).toMatchObject({ duplicate: false, conflict: true });
        expect(new Set([squatted.submissionId, answer.submissionId, third.submissionId]).size).toBe(3);
        expect(captureQueue.sent).toHaveLength(3);
      },
    );

    it('stores each content once when posts under one id race', async () => {
      const { post, captureQueue } = await setup();
      const contents = [valid, { ...valid, email: 'other@example.com' }];
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          post('contact', JSON.stringify({ ...contents[i % 2], submission_id: 'race-1' })),
        ),
      );
      expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(202));
      const ids = answers.map((a) => body(a.body).submissionId);
      expect(new Set(ids).size).toBe(2);
      expect(captureQueue.sent.map((m) => m.platformLeadId).sort()).toEqual([...new Set(ids)].sort());
    });

    it('re-queues a stranded conflict receipt when its retry comes', async () => {
      const { post, captureQueue, clock } = await setup();
      await post(
        'contact',
        JSON.stringify({ email: 'squatter@example.net', terms: 'on', submission_id: 'q-1' }),
      );
      const real = body((await post('contact', JSON.stringify({ ...valid, submission_id: 'q-1' }))).body);
      clock.set('2026-11-30T10:05:00.000Z');
      await post('contact', JSON.stringify({ ...valid, submission_id: 'q-1' }));
      expect(captureQueue.sent.map((m) => m.platformLeadId).slice(1)).toEqual([
        real.submissionId,
        real.submissionId,
      ]);
    });

    it('treats a re-send with the fields in another order, urlencoded, as the same submission', async () => {
      const { post, captureQueue } = await setup();
      const a = body(
        (await post('contact', JSON.stringify({ submission_id: 's-9', email: 'a@b.co', terms: 'on' }))).body,
      );
      const b = body(
        (
          await post('contact', 'terms=on&email=a%40b.co&submission_id=s-9', {
            'content-type': 'application/x-www-form-urlencoded',
          })
        ).body,
      );
      expect(b).toMatchObject({ submissionId: a.submissionId, duplicate: true, conflict: false });
      expect(captureQueue.sent).toHaveLength(1);
    });

    it('never lets a receipt without a fingerprint (stored before ids were scoped) absorb a post', async () => {
      const { post, receiptStore, captureQueue } = await setup();
      // An old-style receipt whose id happens to read like a scoped one.
      await receiptStore.putReceipt({
        source: 'form',
        platformLeadId: 's_contact:old-1',
        receivedAt: '2026-11-30T09:00:00.000Z',
        status: 'captured',
        payload: null,
      });
      const answer = body((await post('contact', JSON.stringify({ ...valid, submission_id: 'old-1' }))).body);
      expect(answer).toMatchObject({ duplicate: false, conflict: true });
      expect(captureQueue.sent).toEqual([{ source: 'form', platformLeadId: answer.submissionId }]);
    });
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
    const { receiptStore } = await freshStore();
    const failing: ReceiptStore = {
      ...receiptStore,
      putReceipt: async () => Promise.reject(new Error('throttled')),
    };
    const { post, captureQueue } = await setup({ receipts: failing });
    const res = await post('contact', JSON.stringify(valid));
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBeDefined();
    expect(captureQueue.sent).toHaveLength(0);
  });

  describe('limits', () => {
    const receiptOf = async (receiptStore: ReceiptStore, res: { body?: string }) =>
      (await receiptStore.getReceipt({ source: 'form', platformLeadId: body(res.body).submissionId }))
        ?.payload as {
        attribution: { landingUrl?: string; utm: Record<string, string>; clickIds?: Record<string, string> };
        context: { userAgent?: string };
        answers: { key: string; values: string[] }[];
      };

    it('takes the landing page from a Referer of up to 10,000 characters, and ignores a longer one', async () => {
      const { post, receiptStore } = await setup();
      const short = 'https://www.example.com/pricing?utm_source=ads&gclid=G1';
      const kept = await receiptOf(
        receiptStore,
        await post('contact', JSON.stringify(valid), { referer: short }),
      );
      expect(kept.attribution).toMatchObject({
        landingUrl: short,
        utm: { source: 'ads' },
        clickIds: { gclid: 'G1' },
      });

      for (const referer of [
        `https://www.example.com/?utm_source=ads&q=${'x'.repeat(15_000)}`,
        // 5,000 characters that percent-encoding turns into 45,000.
        `https://www.example.com/?utm_source=ads&q=${'€'.repeat(5_000)}`,
      ]) {
        const res = await post(
          'contact',
          JSON.stringify({ ...valid, email: `${referer.length}@example.com` }),
          {
            referer,
          },
        );
        expect(res.statusCode).toBe(202);
        const payload = await receiptOf(receiptStore, res);
        expect(payload.attribution.landingUrl).toBeUndefined();
        expect(payload.attribution.utm).toEqual({});
        expect(JSON.stringify(payload).length).toBeLessThan(5_000);
      }
    });

    it('caps the user agent at 512 characters', async () => {
      const { handler, receiptStore } = await setup();
      const event = httpEvent({
        method: 'POST',
        routeKey: 'POST /forms/{formId}',
        path: '/forms/contact',
        pathParameters: { formId: 'contact' },
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(valid),
      });
      event.requestContext.http.userAgent = `Mozilla/5.0 ${'u'.repeat(20_000)}`;
      const payload = await receiptOf(receiptStore, await handler(event));
      expect(payload.context.userAgent).toHaveLength(512);
    });

    it('answers 400 naming a field with too many values or too long a name', async () => {
      const { post, captureQueue } = await setup();
      const longName = 'n'.repeat(300);
      const res = await post(
        'open',
        JSON.stringify({ email: 'jane@example.com', topics: Array(101).fill('x'), [longName]: 'y' }),
      );
      expect(res.statusCode).toBe(400);
      expect(body(res.body)).toMatchObject({
        error: 'invalid_fields',
        fields: [
          { field: 'topics', message: 'has more than 100 values' },
          { field: `${'n'.repeat(200)}…`, message: 'has a name longer than 200 characters' },
        ],
      });
      expect(captureQueue.sent).toHaveLength(0);
    });

    it('answers 400 naming the longest field when the lead would be larger than 128 KiB', async () => {
      const { post, captureQueue } = await setup();
      // Under every per-value limit, but each quote doubles once stored as JSON.
      const fields = Object.fromEntries(
        Array.from({ length: 12 }, (_, i) => [`q${i}`, '"'.repeat(9_000 - i)]),
      );
      const res = await post('open', JSON.stringify({ email: 'jane@example.com', ...fields }));
      expect(res.statusCode).toBe(400);
      expect(body(res.body).fields).toEqual([
        { field: 'q0', message: 'makes the lead larger than 131072 bytes' },
      ]);
      expect(captureQueue.sent).toHaveLength(0);
    });

    it('stores the largest body a form may take, of random control bytes, on its receipt', async () => {
      const { post, receiptStore } = await setup();
      // Random bytes compress worst; each escapes to 6 bytes in the stored JSON before compression.
      const CONTROLS = [1, 2, 3, 4, 5, 6, 7, 8, ...Array.from({ length: 18 }, (_, i) => 14 + i)];
      const random = (n: number) =>
        Array.from(randomBytes(n), (b) => String.fromCharCode(CONTROLS[b % CONTROLS.length] ?? 1)).join('');
      const fields = [
        'email=jane%40example.com',
        ...Array.from({ length: 27 }, (_, i) => `q${i}=${random(9_700)}`),
      ];
      const form = fields.join('&');
      expect(form.length).toBeGreaterThan(256 * 1024 - 2_000);
      expect(form.length).toBeLessThanOrEqual(256 * 1024);
      const res = await post('open', form, { 'content-type': 'application/x-www-form-urlencoded' });
      expect(res.statusCode).toBe(202);
      expect((await receiptOf(receiptStore, res)).answers).toHaveLength(27);
    });

    it('stores a post of control bytes as it came: it is cleaned when captured', async () => {
      const { post, receiptStore } = await setup();
      const noise = Buffer.alloc(9_999, 0x01).toString('latin1');
      const form = [
        'email=jane%40example.com',
        ...Array.from({ length: 6 }, (_, i) => `q${i}=${noise}`),
      ].join('&');
      const res = await post('open', form, { 'content-type': 'application/x-www-form-urlencoded' });
      expect(res.statusCode).toBe(202);
      const payload = await receiptOf(receiptStore, res);
      expect(payload.answers.map((a) => a.values[0])).toEqual(Array(6).fill(noise));
    });
  });
});
