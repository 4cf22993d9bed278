import { afterEach, describe, expect, it } from 'vitest';
import { parseEnv } from '../../lib/config.js';
import { consentProofHash, sha256Hex } from '../../lib/consent/proof.js';
import { createFormsHttpHandler } from '../../lib/handlers/http-forms.js';
import { capture } from '../../lib/pipeline/capture.js';
import { ingest } from '../../lib/pipeline/ingest.js';
import type { CaptureMessage, ConsentRecord, ReceiptStore } from '../../lib/ports.js';
import { type LinkedInSandbox, startLinkedInSandbox } from '../../lib/sandbox/linkedin-api.js';
import { linkedInDemoForm, linkedInResponse } from '../../lib/sandbox/linkedin-fixtures.js';
import { leadNotification } from '../../lib/sandbox/linkedin-webhook.js';
import {
  demoRequestForm,
  demoRequestLead,
  SANDBOX_FORMS,
  SANDBOX_PAGES,
} from '../../lib/sandbox/meta-fixtures.js';
import { type MetaSandbox, startMetaSandbox } from '../../lib/sandbox/meta-graph.js';
import { type LinkedInLeadNotification, parseLinkedInWebhook } from '../../lib/sources/linkedin/parse.js';
import { fakeDeps, fixedSecrets, httpEvent, recordingQueue, testConfig } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

/** Every record must say who, when, what was shown, what was chosen, how, where, and prove it. */
const ALWAYS = [
  'contactId',
  'leadId',
  'purpose',
  'key',
  'granted',
  'at',
  'noticeText',
  'noticeVersion',
  'noticeHash',
  'method',
  'source',
  'formId',
  'proofHash',
  'submission',
  'recordedAt',
] as const;

/** Checks every field, the notice hash and the proof hash against the stored raw submission. */
async function expectComplete(receiptStore: ReceiptStore, record: ConsentRecord, extra: readonly string[]) {
  for (const field of [...ALWAYS, ...extra])
    expect(record, `${record.source} ${field}`).toHaveProperty(field);
  expect(record.noticeText.length).toBeGreaterThan(0);
  expect(record.noticeHash).toBe(sha256Hex(record.noticeText));
  const receipt = await receiptStore.getReceipt(
    record.submission as NonNullable<ConsentRecord['submission']>,
  );
  expect(
    consentProofHash({
      submission: receipt?.payload,
      noticeText: record.noticeText,
      noticeVersion: record.noticeVersion,
      purpose: record.purpose,
      granted: record.granted,
      at: record.at,
    }),
  ).toBe(record.proofHash);
}

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers) await close();
  closers = [];
});

describe('consent ledger: every field, for every source that delivers consent', () => {
  it('web forms: checkbox, notice, version, page, IP and user agent, ticked and unticked', async () => {
    const { store, receiptStore } = await freshStore();
    const captureQueue = recordingQueue<CaptureMessage>();
    const deps = fakeDeps({
      store,
      receipts: receiptStore,
      captureQueue,
      config: testConfig({
        forms: {
          contact: {
            consents: [
              { field: 'news', purpose: 'marketing_email', text: 'Send me news', version: 'v1' },
              { field: 'sms', purpose: 'phone_sms', text: 'Text me', version: 'v1' },
              {
                field: 'terms',
                purpose: 'privacy_policy',
                text: 'I accept the notice',
                version: 'v2',
                required: true,
              },
            ],
          },
        },
      }),
    });
    const res = await createFormsHttpHandler(deps)(
      httpEvent({
        method: 'POST',
        routeKey: 'POST /forms/{formId}',
        path: '/forms/contact',
        pathParameters: { formId: 'contact' },
        headers: {
          'content-type': 'application/json',
          referer: 'https://www.example.com/pricing?utm_source=x',
        },
        body: JSON.stringify({ email: 'jane@acme.io', news: 'on', terms: 'on' }),
      }),
    );
    expect(res.statusCode).toBe(202);
    const outcome = await capture(deps, captureQueue.sent[0] as CaptureMessage);
    if (outcome.status !== 'captured') throw new Error(outcome.status);
    const consents = (await store.getContact(outcome.contactId))?.consents ?? [];
    expect(consents.map((c) => [c.purpose, c.granted, c.method, c.required]).sort()).toEqual([
      ['marketing_email', true, 'web_checkbox', false],
      ['phone_sms', false, 'web_checkbox', false],
      ['privacy_policy', true, 'web_checkbox', true],
    ]);
    for (const record of consents) {
      await expectComplete(receiptStore, record, ['ip', 'userAgent', 'pageUrl']);
      expect(record).toMatchObject({
        source: 'form',
        formId: 'contact',
        ip: '203.0.113.7',
        userAgent: 'test-agent/1.0',
        pageUrl: 'https://www.example.com/pricing?utm_source=x',
      });
    }
  });

  it('Meta: custom-disclaimer checkboxes with the form legal text, page and form', async () => {
    const appSecret = 'app-secret';
    const tokens = { [SANDBOX_PAGES.acme]: 'EAAG-acme' };
    const sandbox: MetaSandbox = await startMetaSandbox({
      appSecret,
      pages: tokens,
      forms: [demoRequestForm],
      leads: [
        demoRequestLead('900000000000000077', {
          customDisclaimerResponses: [{ checkbox_key: 'marketing_optin', is_checked: '1' }],
        }),
      ],
    });
    closers.push(() => sandbox.close());
    const { store, receiptStore } = await freshStore();
    const deps = fakeDeps({
      store,
      receipts: receiptStore,
      env: parseEnv({ META_GRAPH_URL: sandbox.url }),
      secrets: fixedSecrets({
        LEADHUB_PEPPER: 'p',
        META_APP_SECRET: appSecret,
        META_PAGE_TOKENS: JSON.stringify(tokens),
      }),
    });
    await ingest(deps, {
      source: 'meta',
      platformLeadId: '900000000000000077',
      payload: {
        leadgenId: '900000000000000077',
        pageId: SANDBOX_PAGES.acme,
        formId: SANDBOX_FORMS.demoRequest,
      },
    });
    const outcome = await capture(deps, { source: 'meta', platformLeadId: '900000000000000077' });
    if (outcome.status !== 'captured') throw new Error(outcome.status);
    const consents = (await store.getContact(outcome.contactId))?.consents ?? [];
    expect(consents.length).toBeGreaterThanOrEqual(2);
    for (const record of consents) {
      await expectComplete(receiptStore, record, ['pageId']);
      expect(record).toMatchObject({
        source: 'meta',
        pageId: SANDBOX_PAGES.acme,
        formId: SANDBOX_FORMS.demoRequest,
      });
      expect(['platform_checkbox', 'implied']).toContain(record.method);
    }
  });

  it('LinkedIn: consent responses joined to the form version legal text', async () => {
    const token = 'AQV-token';
    const response = linkedInResponse('resp-consent-1');
    const sandbox: LinkedInSandbox = await startLinkedInSandbox({
      tokens: [token],
      forms: [linkedInDemoForm],
      responses: [response],
    });
    closers.push(() => sandbox.close());
    const { store, receiptStore } = await freshStore();
    const deps = fakeDeps({
      store,
      receipts: receiptStore,
      env: parseEnv({ LINKEDIN_API_URL: sandbox.url }),
      secrets: fixedSecrets({ LEADHUB_PEPPER: 'p', LINKEDIN_ACCESS_TOKEN: token }),
    });
    const parsed = parseLinkedInWebhook(Buffer.from(JSON.stringify(leadNotification(response))));
    if (!parsed.ok) throw new Error(parsed.message);
    await ingest(deps, {
      source: 'linkedin',
      platformLeadId: response.id,
      payload: parsed.notifications[0] as LinkedInLeadNotification,
    });
    const outcome = await capture(deps, { source: 'linkedin', platformLeadId: response.id });
    if (outcome.status !== 'captured') throw new Error(outcome.status);
    const consents = (await store.getContact(outcome.contactId))?.consents ?? [];
    expect(consents).toHaveLength(2);
    for (const record of consents) {
      await expectComplete(receiptStore, record, []);
      expect(record).toMatchObject({ source: 'linkedin', granted: true });
    }
  });
});
