import { gunzipSync } from 'node:zlib';
import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import type { LeadDeletedV1 } from '../../events/contracts.js';
import { parseEnv } from '../../lib/config.js';
import { createAdminHttpHandler } from '../../lib/handlers/http-admin.js';
import type { RawLead } from '../../lib/lead/model.js';
import { capture } from '../../lib/pipeline/capture.js';
import { ingest } from '../../lib/pipeline/ingest.js';
import { type LinkedInSandbox, startLinkedInSandbox } from '../../lib/sandbox/linkedin-api.js';
import { linkedInDemoForm, linkedInResponse } from '../../lib/sandbox/linkedin-fixtures.js';
import { leadNotification } from '../../lib/sandbox/linkedin-webhook.js';
import { recordLinkedInDeletion } from '../../lib/sources/linkedin/deletion.js';
import { type LinkedInLeadNotification, parseLinkedInWebhook } from '../../lib/sources/linkedin/parse.js';
import { fakeDeps, fixedSecrets, httpEvent, recordingBus } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

/** Sets as lists and gzip-compressed receipt payloads (the table's only Binary values) as their text. */
const readable = (_key: string, value: unknown) =>
  value instanceof Set
    ? [...value]
    : value instanceof Uint8Array
      ? gunzipSync(value).toString('utf8')
      : value;

const TOKEN = 'AQV-token';
let sandbox: LinkedInSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function setup(responses: ReturnType<typeof linkedInResponse>[]) {
  sandbox = await startLinkedInSandbox({ tokens: [TOKEN], forms: [linkedInDemoForm], responses });
  const { store, receiptStore, doc, tableName } = await freshStore();
  const bus = recordingBus();
  const deps = fakeDeps({
    store,
    receipts: receiptStore,
    bus,
    env: parseEnv({ LINKEDIN_API_URL: sandbox.url }),
    secrets: fixedSecrets({
      LEADHUB_PEPPER: 'p',
      LINKEDIN_ACCESS_TOKEN: TOKEN,
      LEADHUB_ADMIN_TOKEN: 'admin-token',
    }),
  });
  const notify = (response: ReturnType<typeof linkedInResponse>, action: 'CREATED' | 'DELETED') => {
    const parsed = parseLinkedInWebhook(
      Buffer.from(JSON.stringify(leadNotification(response, action, Date.parse('2026-11-30T11:00:00.000Z')))),
    );
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.notifications[0] as LinkedInLeadNotification;
  };
  const create = async (response: ReturnType<typeof linkedInResponse>) => {
    await ingest(deps, {
      source: 'linkedin',
      platformLeadId: response.id,
      payload: notify(response, 'CREATED'),
    });
    return capture(deps, { source: 'linkedin', platformLeadId: response.id });
  };
  const tableText = async () => {
    const { Items } = await doc.send(new ScanCommand({ TableName: tableName }));
    return JSON.stringify(Items, readable);
  };
  return { deps, store, receiptStore, bus, doc, tableName, notify, create, tableText };
}

const formLead = (email: string): RawLead => ({
  source: 'form',
  platformLeadId: 'web-1',
  platformCreatedAt: '2026-11-29T09:00:00.000Z',
  email,
  fullName: 'Maria G.',
  answers: [],
  attribution: { source: 'form', formId: 'contact', utm: {} },
  consents: [],
  context: { ip: '203.0.113.9' },
});

describe('LinkedIn DELETED: an erasure signal for that lead', () => {
  it('strips the stored lead and its raw receipt, keeps consent proofs, and rebuilds the profile from other leads', async () => {
    const response = linkedInResponse('del-1');
    const t = await setup([response]);
    // The same person also came through the website, with fewer details.
    await ingest(t.deps, {
      source: 'form',
      platformLeadId: 'web-1',
      payload: formLead('maria.garcia@acme-robotics.com'),
    });
    const web = await capture(t.deps, { source: 'form', platformLeadId: 'web-1' });
    const li = await t.create(response);
    if (li.status !== 'captured' || web.status !== 'captured') throw new Error('not captured');
    expect(li.contactId).toBe(web.contactId);
    const proofs = ((await t.store.getContact(li.contactId))?.consents ?? []).map((c) => c.proofHash).sort();
    expect((await t.store.getContact(li.contactId))?.profile.jobTitle).toBe('VP Sales');

    expect(await recordLinkedInDeletion(t.deps, t.notify(response, 'DELETED'))).toBe('deleted');

    const deleted = t.bus.events
      .filter((e) => e.detailType === 'LeadDeleted')
      .map((e) => e.detail as LeadDeletedV1);
    expect(deleted).toEqual([
      expect.objectContaining({ leadId: li.leadId, contactId: li.contactId, captured: true }),
    ]);
    const lead = await t.store.getLead(li.leadId);
    expect(lead).toMatchObject({
      leadId: li.leadId,
      deletedReason: 'deleted_on_platform',
      answers: [],
      context: {},
    });
    for (const field of ['email', 'phone', 'firstName', 'lastName', 'company', 'jobTitle']) {
      expect(lead, field).not.toHaveProperty(field);
    }
    expect(await t.receiptStore.getReceipt({ source: 'linkedin', platformLeadId: 'del-1' })).toMatchObject({
      status: 'deleted',
      payload: null,
    });
    const contact = await t.store.getContact(li.contactId);
    expect(contact?.consents.map((c) => c.proofHash).sort()).toEqual(proofs);
    // The website lead remains, so the person does too, with only what they gave there.
    expect(contact?.profile).toMatchObject({ email: 'maria.garcia@acme-robotics.com', fullName: 'Maria G.' });
    expect(contact?.profile.jobTitle).toBeUndefined();
    expect(contact?.profile.company).toBeUndefined();
    const text = await t.tableText();
    expect(text).not.toContain('VP Sales');
    // (The company name also appears in the form's consent notice, which is not personal data.)
    expect(text).not.toContain('Garcia');
    expect(text).not.toContain('+14155552671');

    // Readable as a stripped lead through the admin API, not as data.
    const res = await createAdminHttpHandler(t.deps)(
      httpEvent({
        method: 'GET',
        routeKey: 'GET /api/leads/{leadId}',
        path: `/api/leads/${li.leadId}`,
        pathParameters: { leadId: li.leadId },
        headers: { authorization: 'Bearer admin-token' },
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toMatchObject({ deletedReason: 'deleted_on_platform' });
    // A redelivered deletion changes nothing.
    expect(await recordLinkedInDeletion(t.deps, t.notify(response, 'DELETED'))).toBe('duplicate');
  });

  it('removes the data of a lead deleted on LinkedIn while its capture was running', async () => {
    const response = linkedInResponse('del-race');
    const t = await setup([response]);
    let raced = false;
    // The DELETED arrives after capture fetched the lead and before it stored anything: the deletion
    // finds no lead to strip and marks the receipt deleted; capture must not overwrite that.
    const putLead = t.deps.store.putLead.bind(t.deps.store);
    t.deps.store.putLead = async (lead) => {
      if (!raced) {
        raced = true;
        expect(await recordLinkedInDeletion(t.deps, t.notify(response, 'DELETED'))).toBe('deleted');
      }
      return putLead(lead);
    };
    expect(await t.create(response)).toEqual({ status: 'deleted' });
    expect(raced).toBe(true);
    expect(await t.receiptStore.getReceipt({ source: 'linkedin', platformLeadId: 'del-race' })).toMatchObject(
      {
        status: 'deleted',
        payload: null,
      },
    );
    const deleted = t.bus.events.filter((e) => e.detailType === 'LeadDeleted');
    expect(deleted).toHaveLength(1);
    const leadId = (deleted[0]?.detail as LeadDeletedV1 | undefined)?.leadId ?? '';
    expect((await t.store.getLead(leadId))?.deletedAt).toBeDefined();
    const text = await t.tableText();
    expect(text).not.toContain('maria.garcia@acme-robotics.com');
    expect(text).not.toContain('VP Sales');
  });

  it('leaves a person known only from the deleted lead with an empty profile', async () => {
    const response = linkedInResponse('del-2');
    const t = await setup([response]);
    const li = await t.create(response);
    if (li.status !== 'captured') throw new Error('not captured');
    await recordLinkedInDeletion(t.deps, t.notify(response, 'DELETED'));
    const profile = (await t.store.getContact(li.contactId))?.profile;
    for (const field of ['email', 'phone', 'fullName', 'company', 'jobTitle', 'country']) {
      expect(profile, field).not.toHaveProperty(field);
    }
    expect(await t.tableText()).not.toContain('maria.garcia@acme-robotics.com');
  });

  it('does not capture a late CREATED again, even once the receipt has expired', async () => {
    const response = linkedInResponse('del-3');
    const t = await setup([response]);
    const li = await t.create(response);
    if (li.status !== 'captured') throw new Error('not captured');
    await recordLinkedInDeletion(t.deps, t.notify(response, 'DELETED'));
    // Retention removed the receipt (and with it the dedupe key); LinkedIn redelivers the creation.
    await t.doc.send(
      new DeleteCommand({ TableName: t.tableName, Key: { pk: 'RECEIPT#linkedin#del-3', sk: 'RECEIPT' } }),
    );
    const published = t.bus.events.length;
    expect(await t.create(response)).toEqual({ status: 'deleted' });
    expect(t.bus.events).toHaveLength(published);
    expect(await t.receiptStore.getReceipt({ source: 'linkedin', platformLeadId: 'del-3' })).toMatchObject({
      status: 'deleted',
      payload: null,
    });
    expect(await t.tableText()).not.toContain('maria.garcia@acme-robotics.com');
    // And a DELETED for a lead whose receipt is gone still finds the lead.
    expect((await t.store.getLead(li.leadId))?.deletedReason).toBe('deleted_on_platform');
  });
});
