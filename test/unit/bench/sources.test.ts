import { afterEach, describe, expect, it } from 'vitest';
import { googleSource } from '../../../bench/sources/google.js';
import { benchSources } from '../../../bench/sources/index.js';
import { linkedinSource } from '../../../bench/sources/linkedin.js';
import { tiktokSource } from '../../../bench/sources/tiktok.js';
import { type BenchSource, findTokens, leadToken } from '../../../bench/sources/types.js';
import { parseEnv } from '../../../lib/config.js';
import { HttpRoutes } from '../../../lib/routes.js';
import { parseGoogleWebhook } from '../../../lib/sources/google/parse.js';
import { checkGoogleKey } from '../../../lib/sources/google/verify.js';
import { parseLinkedInWebhook } from '../../../lib/sources/linkedin/parse.js';
import { verifyLinkedInSignature } from '../../../lib/sources/linkedin/verify.js';
import { advertiserAllowList, parseTikTokWebhook } from '../../../lib/sources/tiktok/parse.js';
import { checkOpenSignature, checkPathToken } from '../../../lib/sources/tiktok/verify.js';

const RUN = 'abcd0';

/** The route a request path lands on, with `{param}` segments matching any one segment. */
function routeOf(path: string) {
  return HttpRoutes.find((r) => {
    if (r.method !== 'POST') return false;
    const pattern = new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(path);
  });
}

function requests(source: BenchSource, count: number) {
  return Array.from({ length: count }, (_, seq) => source.request(seq, RUN));
}

describe('benchSources', () => {
  it('drives every platform that has a webhook route, after the form', async () => {
    const names = (await benchSources()).map((s) => s.name);
    expect(names).toEqual(['form', 'meta', 'linkedin', 'tiktok', 'google']);
  });
});

describe('linkedin bench source', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('refuses to build a request before its API stand-in is started', () => {
    expect(() => linkedinSource.request(0, RUN)).toThrow(/sandbox is not started/);
  });

  it('sends CREATED notifications the hub verifies, each for a new response the stand-in serves', async () => {
    const started = await linkedinSource.setup?.();
    if (!started) throw new Error('linkedin source has no setup');
    close = started.close;
    expect(started.env.LINKEDIN_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const sent = requests(linkedinSource, 3);
    const responseIds = new Set<string>();
    for (const [seq, request] of sent.entries()) {
      expect(routeOf(request.path)?.path).toBe('/webhooks/linkedin');
      expect(request.token).toBe(leadToken(RUN, seq));
      const body = Buffer.from(request.body);
      expect(
        verifyLinkedInSignature(
          request.headers['x-li-signature'],
          body,
          linkedinSource.env.LINKEDIN_CLIENT_SECRET as string,
        ),
      ).toBe('A');
      const parsed = parseLinkedInWebhook(body);
      if (!parsed.ok) throw new Error(parsed.message);
      expect(parsed.notifications).toHaveLength(1);
      const [notification] = parsed.notifications;
      expect(notification).toMatchObject({ action: 'CREATED', formId: '7234246', formVersion: '2' });
      const responseId = notification?.responseId as string;
      responseIds.add(responseId);
      // The notification carries ids only: the person is behind the API read.
      expect(findTokens(request.body)).toEqual([]);

      const res = await fetch(`${started.env.LINKEDIN_API_URL}/rest/leadFormResponses/${responseId}`, {
        headers: {
          authorization: `Bearer ${linkedinSource.env.LINKEDIN_ACCESS_TOKEN}`,
          // The version the hub asks for when LINKEDIN_API_VERSION is left unset, as in the bench.
          'linkedin-version': parseEnv({}).LINKEDIN_API_VERSION,
          'x-restli-protocol-version': '2.0.0',
        },
      });
      expect(res.status).toBe(200);
      const served = await res.text();
      expect(findTokens(served)).toContain(request.token);
      expect(served).toContain('"testLead":false');
    }
    expect(responseIds.size).toBe(3);
    expect(linkedinSource.platformCalls?.()).toBe(3);
  });
});

describe('tiktok bench source', () => {
  it('posts signed, allow-listed lead deliveries with unique 19-digit ids and the answers inline', () => {
    const env = tiktokSource.env;
    const allowList = advertiserAllowList(env.TIKTOK_ADVERTISER_IDS);
    const leadIds = new Set<string>();
    for (const [seq, request] of requests(tiktokSource, 3).entries()) {
      expect(routeOf(request.path)?.path).toBe('/webhooks/tiktok/{token}');
      expect(checkPathToken(request.path.split('/').pop(), env.TIKTOK_WEBHOOK_TOKEN as string)).toBe(true);
      const body = Buffer.from(request.body);
      expect(
        checkOpenSignature(
          request.headers['x-open-signature'] as string,
          body,
          env.TIKTOK_APP_SECRET as string,
        ),
      ).toBe('raw');
      // Ids go out as bare JSON numbers, as TikTok sends them.
      expect(request.body).toMatch(/"id":\d{19}[,}]/);
      const parsed = parseTikTokWebhook(body, allowList);
      if (!parsed.ok) throw new Error(parsed.message);
      expect(parsed).toMatchObject({ ignored: 0, unreadable: [], rejected: 0 });
      expect(parsed.leads).toHaveLength(1);
      const [lead] = parsed.leads;
      expect(lead?.leadId).toMatch(/^\d{19}$/);
      // An ad id makes it a real lead, not a mock one (which would go to the test channel or nowhere).
      expect(lead?.adId).toBeDefined();
      expect(lead?.changes).toContainEqual({ field: 'name', value: `Bench ${leadToken(RUN, seq)}` });
      leadIds.add(lead?.leadId as string);
    }
    expect(leadIds.size).toBe(3);
  });
});

describe('google bench source', () => {
  it('posts lead form data carrying the webhook key, with a unique lead id each time', () => {
    const leadIds = new Set<string>();
    for (const [seq, request] of requests(googleSource, 3).entries()) {
      expect(routeOf(request.path)?.path).toBe('/webhooks/google');
      expect(request.headers['user-agent']).toBe('Google-Ads-Lead-Forms');
      const parsed = parseGoogleWebhook(Buffer.from(request.body));
      if (!parsed.ok) throw new Error(parsed.message);
      if (!parsed.lead) throw new Error(parsed.unreadable.reason);
      expect(checkGoogleKey(parsed.key, googleSource.env.GOOGLE_WEBHOOK_KEY)).toBe(true);
      expect(parsed.lead.isTest).toBe(false);
      expect(parsed.lead.formId).toMatch(/^\d+$/);
      expect(parsed.lead.columns).toContainEqual({
        columnId: 'FULL_NAME',
        columnName: 'Full Name',
        value: `Bench ${leadToken(RUN, seq)}`,
      });
      leadIds.add(parsed.lead.leadId);
    }
    expect(leadIds.size).toBe(3);
  });
});
