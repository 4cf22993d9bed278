import { describe, expect, it } from 'vitest';
import { createAdminHttpHandler } from '../../lib/handlers/http-admin.js';
import type { RawLead } from '../../lib/lead/model.js';
import { capture } from '../../lib/pipeline/capture.js';
import { ingest } from '../../lib/pipeline/ingest.js';
import { fakeDeps, httpEvent } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

async function setup() {
  const { store, receiptStore } = await freshStore(() => new Date('2026-11-30T12:00:00.000Z'));
  const deps = fakeDeps({ store, receipts: receiptStore });
  const handler = createAdminHttpHandler(deps);
  const get = (
    routeKey: string,
    path: string,
    options: { token?: string; pathParameters?: Record<string, string>; query?: Record<string, string> } = {},
  ) =>
    handler(
      httpEvent({
        method: 'GET',
        routeKey,
        path,
        pathParameters: options.pathParameters,
        query: options.query,
        headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
      }),
    );
  const addLead = async (id: string, email: string) => {
    const raw: RawLead = {
      source: 'form',
      platformLeadId: id,
      platformCreatedAt: '2026-11-30T10:00:00.000Z',
      email,
      attribution: { source: 'form', formId: 'contact' },
      consents: [
        {
          purpose: 'marketing_email',
          key: 'news',
          noticeText: 't',
          noticeVersion: 'v1',
          granted: true,
          method: 'web_checkbox',
        },
      ],
    };
    await ingest(deps, { source: 'form', platformLeadId: id, payload: raw });
    const outcome = await capture(deps, { source: 'form', platformLeadId: id });
    if (outcome.status !== 'captured') throw new Error('not captured');
    return outcome;
  };
  return { get, addLead };
}

const json = (b: unknown) => JSON.parse(String(b));

describe('admin read API', () => {
  it('serves /health without a token', async () => {
    const { get } = await setup();
    const res = await get('GET /health', '/health');
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toEqual({ status: 'ok' });
  });

  it('refuses every admin route without the right bearer token', async () => {
    const { get } = await setup();
    for (const token of [undefined, '', 'wrong', 'admin-token-but-longer']) {
      const res = await get('GET /api/leads', '/api/leads', { token });
      expect(res.statusCode).toBe(401);
      expect(json(res.body).error).toBe('unauthorized');
    }
  });

  it('lists leads newest first and pages with a cursor', async () => {
    const { get, addLead } = await setup();
    const a = await addLead('x1', 'a@acme.io');
    const b = await addLead('x2', 'b@acme.io');
    const page = await get('GET /api/leads', '/api/leads', { token: 'admin-token', query: { limit: '1' } });
    expect(page.statusCode).toBe(200);
    const first = json(page.body);
    expect(first.leads).toHaveLength(1);
    const next = await get('GET /api/leads', '/api/leads', {
      token: 'admin-token',
      query: { limit: '5', cursor: first.cursor },
    });
    const ids = [first.leads[0].leadId, ...json(next.body).leads.map((l: { leadId: string }) => l.leadId)];
    expect(new Set(ids)).toEqual(new Set([a.leadId, b.leadId]));
  });

  it('rejects a bad limit or cursor with 400', async () => {
    const { get } = await setup();
    for (const limit of ['0', '101', 'abc', '-1', '1.5']) {
      const res = await get('GET /api/leads', '/api/leads', { token: 'admin-token', query: { limit } });
      expect(res.statusCode).toBe(400);
    }
    const res = await get('GET /api/leads', '/api/leads', { token: 'admin-token', query: { cursor: '!!' } });
    expect(res.statusCode).toBe(400);
    expect(json(res.body).error).toBe('invalid_cursor');
  });

  it('returns one lead, and one contact with touches and consent', async () => {
    const { get, addLead } = await setup();
    const { leadId, contactId } = await addLead('y1', 'c@acme.io');
    const lead = await get('GET /api/leads/{leadId}', `/api/leads/${leadId}`, {
      token: 'admin-token',
      pathParameters: { leadId },
    });
    expect(lead.statusCode).toBe(200);
    expect(json(lead.body)).toMatchObject({ leadId, contactId, email: 'c@acme.io' });
    const contact = await get('GET /api/contacts/{contactId}', `/api/contacts/${contactId}`, {
      token: 'admin-token',
      pathParameters: { contactId },
    });
    expect(contact.statusCode).toBe(200);
    const view = json(contact.body);
    expect(view.profile.contactId).toBe(contactId);
    expect(view.leads).toHaveLength(1);
    expect(view.consents[0]).toMatchObject({ purpose: 'marketing_email', granted: true });
  });

  it('answers 404 for unknown ids and 400 for malformed ones', async () => {
    const { get } = await setup();
    const missing = await get('GET /api/leads/{leadId}', '/api/leads/ld_nope', {
      token: 'admin-token',
      pathParameters: { leadId: 'ld_nope' },
    });
    expect(missing.statusCode).toBe(404);
    const bad = await get('GET /api/contacts/{contactId}', '/api/contacts/x', {
      token: 'admin-token',
      pathParameters: { contactId: 'a b/c' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('trusts API Gateway IAM authorisation on AWS', async () => {
    const { store, receiptStore } = await freshStore();
    const handler = createAdminHttpHandler(fakeDeps({ store, receipts: receiptStore }));
    const event = httpEvent({ method: 'GET', routeKey: 'GET /api/leads', path: '/api/leads' });
    const withIam = {
      ...event,
      requestContext: {
        ...event.requestContext,
        authorizer: { iam: { userArn: 'arn:aws:iam::1:user/ops', callerId: 'AID' } },
      },
    };
    expect((await handler(withIam as typeof event)).statusCode).toBe(200);
  });
});
