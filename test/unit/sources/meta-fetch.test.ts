import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PermanentSourceError } from '../../../lib/sources/errors.js';
import {
  classifyGraphFailure,
  createMetaGraphClient,
  FORM_FIELDS,
  LEAD_FIELDS,
  MetaTransientError,
  pageAccessToken,
} from '../../../lib/sources/meta/fetch.js';
import { fixedSecrets } from '../../support/fakes.js';

const credentials = { pageId: '153125381133', token: 'EAAG-page-token', appSecret: 'app-secret' };
const LEAD_ID = '900000000000000001';
const leadBody = `{"id":"${LEAD_ID}","created_time":"2026-11-20T08:49:14+0000","ad_id":120211234567890123,
  "form_id":"12312312312","is_organic":false,"platform":"ig",
  "field_data":[{"name":"email","values":["joe@example.com"]}],
  "custom_disclaimer_responses":[{"checkbox_key":"optional_1","is_checked":"1"}]}`;

type Reply = { status: number; body: string; headers?: Record<string, string> } | Error;

/** A scripted fetch: answers in order, records every request. */
function scriptedFetch(replies: Reply[]) {
  const calls: { url: URL; headers: Record<string, string> }[] = [];
  const fetch = (async (input: URL | string, init?: RequestInit) => {
    calls.push({ url: new URL(String(input)), headers: init?.headers as Record<string, string> });
    const reply = replies.shift() ?? { status: 500, body: '{}' };
    if (reply instanceof Error) throw reply;
    return new Response(reply.body, { status: reply.status, headers: reply.headers });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

function client(replies: Reply[], extra: { now?: () => number } = {}) {
  const f = scriptedFetch(replies);
  const sleeps: number[] = [];
  let clock = 1_000_000;
  const graph = createMetaGraphClient({
    baseUrl: 'https://graph.example/',
    version: 'v25.0',
    fetch: f.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: extra.now ?? (() => clock),
  });
  return {
    graph,
    calls: f.calls,
    sleeps,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const graphError = (status: number, code: number, subcode?: number, type = 'OAuthException') => ({
  status,
  body: JSON.stringify({
    error: { message: 'x', type, code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: 'Trace1' },
  }),
});

describe('Graph client: the lead request', () => {
  it('asks for every field explicitly, with the token as Bearer and appsecret_proof', async () => {
    const { graph, calls } = client([{ status: 200, body: leadBody }]);
    const lead = await graph.getLead(LEAD_ID, credentials);
    expect(lead).toMatchObject({
      id: LEAD_ID,
      ad_id: '120211234567890123',
      is_organic: false,
      platform: 'ig',
    });
    const [call] = calls;
    expect(`${call?.url.origin}${call?.url.pathname}`).toBe(`https://graph.example/v25.0/${LEAD_ID}`);
    expect(call?.url.searchParams.get('fields')?.split(',')).toEqual([...LEAD_FIELDS]);
    for (const f of [
      'field_data',
      'custom_disclaimer_responses',
      'created_time',
      'ad_name',
      'adset_id',
      'campaign_name',
      'is_organic',
      'platform',
      'form_id',
    ]) {
      expect(LEAD_FIELDS).toContain(f);
    }
    expect(call?.url.searchParams.get('appsecret_proof')).toBe(
      createHmac('sha256', 'app-secret').update('EAAG-page-token').digest('hex'),
    );
    expect(call?.url.searchParams.has('access_token')).toBe(false);
    expect(call?.headers.authorization).toBe('Bearer EAAG-page-token');
  });

  it('keeps a bare-number id in the response exact', async () => {
    const { graph } = client([{ status: 200, body: leadBody }]);
    expect((await graph.getLead(LEAD_ID, credentials)).ad_id).toBe('120211234567890123');
  });
});

describe('Graph client: transient failures', () => {
  it('retries a 500, a network error and a timeout, then succeeds', async () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const { graph, calls, sleeps } = client([
      graphError(500, 2),
      new TypeError('fetch failed'),
      { status: 200, body: leadBody },
    ]);
    expect((await graph.getLead(LEAD_ID, credentials)).id).toBe(LEAD_ID);
    expect(calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1] as number).toBeGreaterThan((sleeps[0] as number) - 300);

    const second = client([timeout, { status: 200, body: leadBody }]);
    expect((await second.graph.getLead(LEAD_ID, credentials)).id).toBe(LEAD_ID);
  });

  it('honours Retry-After on a 429 (and on throttling codes sent with 400)', async () => {
    const { graph, sleeps } = client([
      { ...graphError(429, 613), headers: { 'retry-after': '2' } },
      { ...graphError(400, 17), headers: { 'retry-after': '1' } },
      { status: 200, body: leadBody },
    ]);
    await graph.getLead(LEAD_ID, credentials);
    expect(sleeps).toEqual([2000, 1000]);
  });

  it('gives up after three attempts and throws a transient error for the queue to retry', async () => {
    const { graph, calls } = client([
      graphError(500, 1),
      graphError(503, 2),
      graphError(500, 1),
      { status: 200, body: leadBody },
    ]);
    const error = await graph.getLead(LEAD_ID, credentials).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetaTransientError);
    expect(error).not.toBeInstanceOf(PermanentSourceError);
    expect(calls).toHaveLength(3);
  });

  it('does not wait longer than its budget: a long Retry-After goes back to the queue at once', async () => {
    const { graph, calls, sleeps } = client([{ ...graphError(429, 4), headers: { 'retry-after': '60' } }]);
    await expect(graph.getLead(LEAD_ID, credentials)).rejects.toBeInstanceOf(MetaTransientError);
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("takes Meta's estimated_time_to_regain_access as the wait: minutes go back to the queue at once", async () => {
    const usage = (minutes: number) => ({
      'x-business-use-case-usage': JSON.stringify({
        [credentials.pageId]: [
          {
            type: 'pages',
            call_count: 100,
            total_cputime: 20,
            total_time: 20,
            estimated_time_to_regain_access: 0,
          },
          { type: 'leadgen', call_count: 100, estimated_time_to_regain_access: minutes },
        ],
      }),
    });
    const { graph, calls, sleeps } = client([
      { ...graphError(400, 80004), headers: usage(5) },
      { status: 200, body: leadBody },
    ]);
    await expect(graph.getLead(LEAD_ID, credentials)).rejects.toBeInstanceOf(MetaTransientError);
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);

    // Not throttled (0), or unreadable: the usual backoff.
    const fine = client([
      { ...graphError(400, 80004), headers: usage(0) },
      { ...graphError(400, 80004), headers: { 'x-business-use-case-usage': 'not json' } },
      { status: 200, body: leadBody },
    ]);
    expect((await fine.graph.getLead(LEAD_ID, credentials)).id).toBe(LEAD_ID);
    expect(fine.sleeps).toHaveLength(2);
    expect(fine.sleeps.every((ms) => ms < 2_000)).toBe(true);
  });

  it('treats an unreadable 200 as permanent, not as a connection failure', async () => {
    const { graph } = client([{ status: 200, body: '{"id": "1", "field_data": "nope"}' }]);
    const error = (await graph
      .getLead(LEAD_ID, credentials)
      .catch((e: unknown) => e)) as PermanentSourceError;
    expect(error).toBeInstanceOf(PermanentSourceError);
    expect(error.connection).toBeUndefined();
  });
});

describe('Graph client: permanent failures', () => {
  const cases: [string, ReturnType<typeof graphError>, string][] = [
    ['expired token', graphError(400, 190, 463), 'token_expired'],
    ['invalid token', graphError(400, 190), 'token_invalid'],
    [
      'missing permission (#200, sent with 400 and OAuthException)',
      graphError(400, 200),
      'permission_missing',
    ],
    ['missing permission (#10)', graphError(403, 10), 'permission_missing'],
    ['unknown lead (100/33)', graphError(400, 100, 33, 'GraphMethodException'), 'lead_not_found'],
    ['invalid parameter', graphError(400, 100, undefined, 'GraphMethodException'), 'request_rejected'],
  ];
  for (const [name, reply, reason] of cases) {
    it(`fails at once with ${reason} on ${name}, naming the page and the fix`, async () => {
      const { graph, calls } = client([reply, { status: 200, body: leadBody }]);
      const error = (await graph
        .getLead(LEAD_ID, credentials)
        .catch((e: unknown) => e)) as PermanentSourceError;
      expect(error).toBeInstanceOf(PermanentSourceError);
      expect(calls).toHaveLength(1);
      expect(error.connection).toMatchObject({ reason, pageId: credentials.pageId });
      expect(error.connection?.fix).toContain(credentials.pageId);
      expect(error.connection?.fix).toContain('npm run replay');
      expect(error.connection?.platformError).toMatchObject({ status: reply.status, traceId: 'Trace1' });
      expect(error.message).not.toContain(credentials.token);
      expect(JSON.stringify(error.connection)).not.toContain(credentials.token);
    });
  }
});

describe('classifyGraphFailure', () => {
  it('retries rate limits and outages, whatever the status', () => {
    for (const code of [1, 2, 4, 17, 32, 341, 613, 80000, 80004, 80014]) {
      expect(classifyGraphFailure(400, { code }).kind, String(code)).toBe('transient');
    }
    expect(classifyGraphFailure(429, {}).kind).toBe('transient');
    expect(classifyGraphFailure(502, {}).kind).toBe('transient');
    expect(classifyGraphFailure(400, { code: 9999, transient: true }).kind).toBe('transient');
  });

  it('fails token, permission and unknown-object errors for good, codes winning over statuses', () => {
    expect(classifyGraphFailure(500, { code: 190 })).toMatchObject({
      kind: 'permanent',
      reason: 'token_invalid',
    });
    expect(classifyGraphFailure(400, { code: 102 })).toMatchObject({ reason: 'token_invalid' });
    expect(classifyGraphFailure(400, { code: 299 })).toMatchObject({ reason: 'permission_missing' });
    expect(classifyGraphFailure(400, { code: 300 })).toMatchObject({ reason: 'request_rejected' });
    expect(classifyGraphFailure(401, {})).toMatchObject({ reason: 'token_invalid' });
    expect(classifyGraphFailure(403, {})).toMatchObject({ reason: 'permission_missing' });
    expect(classifyGraphFailure(400, { type: 'OAuthException' })).toMatchObject({ reason: 'token_invalid' });
  });
});

describe('Graph client: forms', () => {
  const formBody = JSON.stringify({
    id: '12312312312',
    name: 'Roofing quote',
    legal_content: {
      id: '777',
      custom_disclaimer: { checkboxes: [{ key: 'optional_1', text: 'Email me', is_required: false }] },
    },
    questions: [{ key: 'email', label: 'Email', type: 'EMAIL' }],
  });

  it('asks for legal_content and questions, and reads a form once per TTL', async () => {
    const { graph, calls, advance } = client([
      { status: 200, body: formBody },
      { status: 200, body: formBody },
    ]);
    const form = await graph.getForm('12312312312', credentials);
    expect(form.legal_content?.custom_disclaimer?.checkboxes[0]?.text).toBe('Email me');
    await graph.getForm('12312312312', credentials);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url.searchParams.get('fields')?.split(',')).toEqual([...FORM_FIELDS]);
    advance(60 * 60 * 1000 + 1);
    await graph.getForm('12312312312', credentials);
    expect(calls).toHaveLength(2);
  });

  it('names the form in a permanent failure', async () => {
    const { graph } = client([graphError(400, 200)]);
    const error = (await graph
      .getForm('12312312312', credentials)
      .catch((e: unknown) => e)) as PermanentSourceError;
    expect(error.connection).toMatchObject({ reason: 'permission_missing', formId: '12312312312' });
  });
});

describe('pageAccessToken', () => {
  it('takes the page token from META_PAGE_TOKENS, else META_PAGE_ACCESS_TOKEN', async () => {
    const both = fixedSecrets({ META_PAGE_TOKENS: '{"111":"tok-111"}', META_PAGE_ACCESS_TOKEN: 'tok-all' });
    expect(await pageAccessToken(both, '111')).toBe('tok-111');
    expect(await pageAccessToken(both, '222')).toBe('tok-all');
    expect(await pageAccessToken(fixedSecrets({ META_PAGE_ACCESS_TOKEN: 'tok-all' }), '333')).toBe('tok-all');
  });

  it('keys bare-number page ids exactly', async () => {
    const secrets = fixedSecrets({
      META_PAGE_TOKENS: '{"900000000000000001":"tok-a","900000000000000002":"tok-b"}',
    });
    expect(await pageAccessToken(secrets, '900000000000000002')).toBe('tok-b');
  });

  it('fails permanently with token_missing, naming the page, when there is none', async () => {
    for (const secrets of [
      fixedSecrets({}),
      fixedSecrets({ META_PAGE_TOKENS: '{"111":"tok"}' }),
      fixedSecrets({ META_PAGE_TOKENS: 'not json' }),
    ]) {
      const error = (await pageAccessToken(secrets, '222').catch((e: unknown) => e)) as PermanentSourceError;
      expect(error).toBeInstanceOf(PermanentSourceError);
      expect(error.connection).toMatchObject({ reason: 'token_missing', pageId: '222' });
    }
  });
});
