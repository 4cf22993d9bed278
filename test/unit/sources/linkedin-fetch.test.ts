import { describe, expect, it } from 'vitest';
import { PermanentSourceError } from '../../../lib/sources/errors.js';
import {
  classifyLinkedInFailure,
  createLinkedInClient,
  LinkedInTransientError,
  linkedInAccessToken,
} from '../../../lib/sources/linkedin/fetch.js';
import { fixedSecrets } from '../../support/fakes.js';
import { rejection } from '../../support/thrown.js';

const RESPONSE_ID = '249592fc-d272-44ba-a7db-c2bdce579507-6';
const TOKEN = 'AQV-member-token';
// LinkedIn's Postman example of GET /rest/leadFormResponses/{id}.
const responseBody = `{"owner":{"sponsoredAccount":"urn:li:sponsoredAccount:1234567"},"submitter":"urn:li:person:BcLKblgopR",
  "leadType":"SPONSORED","leadMetadata":{"sponsoredLeadMetadata":{"campaign":"urn:li:sponsoredCampaign:198356826"}},
  "versionedLeadGenFormUrn":"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)",
  "id":"${RESPONSE_ID}","submittedAt":1689894599288,"testLead":true,
  "associatedEntity":{"associatedCreative":"urn:li:sponsoredCreative:241257736"},
  "formResponse":{"consentResponses":[{"accepted":true,"consentId":0}],"answers":[
    {"answerDetails":{"textQuestionAnswer":{"answer":"kevjohonson@email.com"}},"questionId":307234246},
    {"answerDetails":{"multipleChoiceAnswer":{"options":[0]}},"questionId":707234246},
    {"answerDetails":{"textQuestionAnswer":{"answer":"Kevin"}},"questionId":107234246}]}}`;
const formBody = (versionId = 1) =>
  `{"id":7234246,"versionId":${versionId},"name":"Demo form","creationLocale":{"country":"US","language":"en"},
  "content":{"questions":[{"questionId":307234246,"name":"email","question":{"localized":{"en_US":"Email"}},
  "predefinedField":"EMAIL","questionDetails":{"textQuestionDetails":{}}}]}}`;

type Reply = { status: number; body: string; headers?: Record<string, string> } | Error;

function client(replies: Reply[]) {
  const calls: { url: URL; headers: Record<string, string> }[] = [];
  const sleeps: number[] = [];
  let clock = 1_000_000;
  const linkedIn = createLinkedInClient({
    baseUrl: 'https://api.linkedin.example/',
    version: '202611',
    fetch: (async (input: URL | string, init?: RequestInit) => {
      calls.push({ url: new URL(String(input)), headers: init?.headers as Record<string, string> });
      const reply = replies.shift() ?? { status: 500, body: '{}' };
      if (reply instanceof Error) throw reply;
      return new Response(reply.body, { status: reply.status, headers: reply.headers });
    }) as typeof globalThis.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
  });
  const advance = (ms: number) => {
    clock += ms;
  };
  return { linkedIn, calls, sleeps, advance };
}

const liError = (status: number, code?: string, serviceErrorCode?: number) => ({
  status,
  body: JSON.stringify({
    status,
    message: 'x',
    ...(code ? { code } : {}),
    ...(serviceErrorCode ? { serviceErrorCode } : {}),
  }),
});

describe('LinkedIn client: the lead form response', () => {
  it('sends the bearer token and the versioned-API headers, and reads ids as strings', async () => {
    const { linkedIn, calls } = client([{ status: 200, body: responseBody }]);
    const response = await linkedIn.getLeadResponse(RESPONSE_ID, TOKEN);
    expect(response).toMatchObject({
      id: RESPONSE_ID,
      testLead: true,
      submittedAt: '1689894599288',
      formResponse: {
        consentResponses: [{ consentId: '0', accepted: true }],
        answers: [
          {
            questionId: '307234246',
            answerDetails: { textQuestionAnswer: { answer: 'kevjohonson@email.com' } },
          },
          { questionId: '707234246', answerDetails: { multipleChoiceAnswer: { options: ['0'] } } },
          { questionId: '107234246' },
        ],
      },
    });
    const [call] = calls;
    expect(call?.url.toString()).toBe(`https://api.linkedin.example/rest/leadFormResponses/${RESPONSE_ID}`);
    expect(call?.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'linkedin-version': '202611',
      'x-restli-protocol-version': '2.0.0',
    });
    expect(call?.url.search).toBe('');
  });

  it('escapes the id in the path', async () => {
    const { linkedIn, calls } = client([{ status: 200, body: responseBody }]);
    await linkedIn.getLeadResponse('a/b?c', TOKEN);
    expect(calls[0]?.url.pathname).toBe('/rest/leadFormResponses/a%2Fb%3Fc');
  });

  it('turns a 200 it cannot read into a permanent failure without a connection problem', async () => {
    const { linkedIn } = client([{ status: 200, body: '{"unexpected":true}' }]);
    const error = await rejection(linkedIn.getLeadResponse(RESPONSE_ID, TOKEN));
    expect(error).toBeInstanceOf(PermanentSourceError);
    expect((error as PermanentSourceError).connection).toBeUndefined();
  });
});

describe('LinkedIn client: forms', () => {
  it('reads a form version once (a versioned form never changes)', async () => {
    const { linkedIn, calls } = client([
      { status: 200, body: formBody(1) },
      { status: 200, body: formBody(2) },
    ]);
    const first = await linkedIn.getForm('7234246', '1', TOKEN);
    expect(first.content.questions[0]).toMatchObject({ questionId: '307234246', predefinedField: 'EMAIL' });
    await linkedIn.getForm('7234246', '1', TOKEN);
    await linkedIn.getForm('7234246', '1', TOKEN);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url.pathname).toBe('/rest/leadForms/7234246');
    await linkedIn.getForm('7234246', '2', TOKEN);
    expect(calls).toHaveLength(2);
  });

  it('does not cache a form served as another version than asked for', async () => {
    const { linkedIn, calls } = client([
      { status: 200, body: formBody(3) },
      { status: 200, body: formBody(3) },
    ]);
    expect((await linkedIn.getForm('7234246', '1', TOKEN)).versionId).toBe('3');
    await linkedIn.getForm('7234246', '1', TOKEN);
    expect(calls).toHaveLength(2);
  });

  it('keeps an unversioned read for an hour only', async () => {
    const { linkedIn, calls, advance } = client([
      { status: 200, body: formBody(1) },
      { status: 200, body: formBody(1) },
    ]);
    await linkedIn.getForm('7234246', undefined, TOKEN);
    advance(30 * 60 * 1000);
    await linkedIn.getForm('7234246', undefined, TOKEN);
    expect(calls).toHaveLength(1);
    advance(31 * 60 * 1000);
    await linkedIn.getForm('7234246', undefined, TOKEN);
    expect(calls).toHaveLength(2);
  });

  it('names the form in a permanent failure to read it', async () => {
    const { linkedIn } = client([liError(404, 'NOT_FOUND')]);
    const error = (await rejection(linkedIn.getForm('7234246', '1', TOKEN))) as PermanentSourceError;
    expect(error.connection).toMatchObject({ reason: 'lead_not_found', formId: '7234246' });
    expect(error.connection?.fix).toContain('form 7234246');
  });
});

describe('LinkedIn failures', () => {
  it('sorts statuses and codes into transient and permanent reasons', () => {
    const kind = (status: number, code?: string, serviceErrorCode?: string) => {
      const f = classifyLinkedInFailure(status, {
        ...(code ? { code } : {}),
        ...(serviceErrorCode ? { serviceErrorCode } : {}),
      });
      return f.kind === 'permanent' ? f.reason : f.kind;
    };
    expect(kind(401, 'EXPIRED_ACCESS_TOKEN', '65602')).toBe('token_expired');
    expect(kind(401, undefined, '65602')).toBe('token_expired');
    expect(kind(401, 'REVOKED_ACCESS_TOKEN', '65601')).toBe('token_invalid');
    expect(kind(401, 'INVALID_ACCESS_TOKEN', '65600')).toBe('token_invalid');
    expect(kind(401)).toBe('token_invalid');
    expect(kind(403, 'ACCESS_DENIED')).toBe('permission_missing');
    expect(kind(404)).toBe('lead_not_found');
    expect(kind(426, 'NONEXISTENT_VERSION')).toBe('request_rejected');
    expect(kind(400, 'VERSION_MISSING')).toBe('request_rejected');
    expect(kind(422)).toBe('request_rejected');
    for (const status of [429, 500, 502, 503, 504]) expect(kind(status)).toBe('transient');
  });

  const permanent = [
    [liError(401, 'EXPIRED_ACCESS_TOKEN', 65602), 'token_expired', 'LINKEDIN_ACCESS_TOKEN'],
    [liError(401, 'REVOKED_ACCESS_TOKEN', 65601), 'token_invalid', 'LINKEDIN_ACCESS_TOKEN'],
    [liError(403, 'ACCESS_DENIED', 100), 'permission_missing', 'r_marketing_leadgen_automation'],
    [liError(404, 'NOT_FOUND'), 'lead_not_found', RESPONSE_ID],
    [liError(426, 'NONEXISTENT_VERSION'), 'request_rejected', 'LINKEDIN_API_VERSION (202611)'],
  ] as const;
  for (const [reply, reason, hint] of permanent) {
    it(`fails at once, with the connection details and the fix, on ${reply.status} (${reason})`, async () => {
      const { linkedIn, calls } = client([reply]);
      const error = (await rejection(linkedIn.getLeadResponse(RESPONSE_ID, TOKEN))) as PermanentSourceError;
      expect(error).toBeInstanceOf(PermanentSourceError);
      expect(calls).toHaveLength(1);
      expect(error.connection).toMatchObject({ reason, platformError: { status: reply.status } });
      expect(error.connection?.fix).toContain(hint);
      expect(error.connection?.fix).toContain('npm run replay -- --source linkedin --status failed');
      expect(JSON.stringify(error.connection)).not.toContain(TOKEN);
      expect(error.message).toContain(reason);
    });
  }

  it('keeps LinkedIn codes on the failure, for support tickets', async () => {
    const { linkedIn } = client([liError(401, 'EXPIRED_ACCESS_TOKEN', 65602)]);
    const error = (await rejection(linkedIn.getLeadResponse(RESPONSE_ID, TOKEN))) as PermanentSourceError;
    expect(error.connection?.platformError).toEqual({
      status: 401,
      code: 'EXPIRED_ACCESS_TOKEN',
      subcode: '65602',
    });
  });

  it('retries 5xx, 429 (honouring Retry-After) and network errors three times, then leaves it to the queue', async () => {
    const { linkedIn, calls, sleeps } = client([
      liError(503),
      { ...liError(429), headers: { 'retry-after': '2' } },
      new TypeError('fetch failed'),
      { status: 200, body: responseBody },
    ]);
    // Three attempts by default: the fourth reply is never asked for.
    await expect(linkedIn.getLeadResponse(RESPONSE_ID, TOKEN)).rejects.toBeInstanceOf(LinkedInTransientError);
    expect(calls).toHaveLength(3);
    expect(sleeps[1]).toBe(2000);
  });

  it('recovers within its attempts', async () => {
    const { linkedIn, calls } = client([liError(500), { status: 200, body: responseBody }]);
    expect((await linkedIn.getLeadResponse(RESPONSE_ID, TOKEN)).id).toBe(RESPONSE_ID);
    expect(calls).toHaveLength(2);
  });

  it('leaves the retry to the queue when Retry-After does not fit the budget', async () => {
    const { linkedIn, calls, sleeps } = client([{ ...liError(429), headers: { 'retry-after': '60' } }]);
    const error = await rejection(linkedIn.getLeadResponse(RESPONSE_ID, TOKEN));
    expect(error).toBeInstanceOf(LinkedInTransientError);
    expect((error as Error).message).toContain('the queue will retry');
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('LinkedIn access token', () => {
  it('reads LINKEDIN_ACCESS_TOKEN, and fails permanently (token_missing) without it', async () => {
    expect(await linkedInAccessToken(fixedSecrets({ LINKEDIN_ACCESS_TOKEN: TOKEN }), RESPONSE_ID)).toBe(
      TOKEN,
    );
    const error = (await rejection(
      linkedInAccessToken(fixedSecrets({}), RESPONSE_ID),
    )) as PermanentSourceError;
    expect(error.connection).toMatchObject({ reason: 'token_missing' });
    expect(error.connection?.fix).toContain('LINKEDIN_ACCESS_TOKEN');
  });
});

describe('LinkedIn client: concurrent form reads', () => {
  it('reads a form once for leads captured at the same time', async () => {
    const { linkedIn, calls } = client([
      { status: 200, body: formBody(1) },
      { status: 200, body: formBody(1) },
    ]);
    const forms = await Promise.all([1, 2, 3].map(() => linkedIn.getForm('7234246', '1', TOKEN)));
    expect(forms.map((f) => f.versionId)).toEqual(['1', '1', '1']);
    expect(calls).toHaveLength(1);
  });

  it('lets the next caller try again after a failed read', async () => {
    const { linkedIn, calls } = client([liError(403, 'ACCESS_DENIED'), { status: 200, body: formBody(1) }]);
    await expect(linkedIn.getForm('7234246', '1', TOKEN)).rejects.toBeInstanceOf(PermanentSourceError);
    expect((await linkedIn.getForm('7234246', '1', TOKEN)).versionId).toBe('1');
    expect(calls).toHaveLength(2);
  });
});
