import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_SECRETS, forgedRequest, signedRequest, violation } from '../../../bench/chaos/fuzz.js';

const json = 'application/json; charset=utf-8';

describe('the fuzz properties', () => {
  it('accept a 2xx, a 3xx and a JSON error with a message', () => {
    expect(violation({ status: 200, body: 'anything' })).toBeUndefined();
    expect(violation({ status: 204, body: '' })).toBeUndefined();
    expect(
      violation({ status: 401, contentType: json, body: '{"error":"bad_signature","message":"no"}' }),
    ).toBeUndefined();
  });

  it('reject a 5xx, an interrupted request and an error that does not explain itself', () => {
    expect(violation({ status: 500, contentType: json, body: '{"message":"x"}' })).toMatch(/500/);
    expect(violation({ status: 503, contentType: json, body: '{"message":"x"}' })).toMatch(/503/);
    expect(violation({ body: '', error: 'TypeError ECONNRESET' })).toMatch(/interrupted/);
    expect(violation({ status: 400, contentType: 'text/plain', body: 'bad' })).toMatch(/not JSON/);
    expect(violation({ status: 400, contentType: json, body: '{bad' })).toMatch(/not valid JSON/);
    expect(violation({ status: 404, contentType: json, body: '{"error":"x"}' })).toMatch(/no message/);
    expect(violation({ status: 404, contentType: json, body: '{"message":"  "}' })).toMatch(/no message/);
    expect(violation({ status: 404, contentType: json, body: 'null' })).toMatch(/no message/);
  });

  it('generate forged requests that never carry a real credential', () => {
    const requests = fc.sample(forgedRequest(), { numRuns: 500, seed: 42 });
    const secrets = Object.values(FUZZ_SECRETS);
    for (const r of requests) {
      const headers = JSON.stringify(r.headers);
      for (const secret of secrets) expect(headers).not.toContain(secret);
      expect(r.target.startsWith('/')).toBe(true);
      expect(r.target).not.toContain(`/webhooks/tiktok/${FUZZ_SECRETS.tiktokPathToken}?`);
      if (r.route === 'POST /webhooks/google')
        expect(r.body?.toString() ?? '').not.toContain(FUZZ_SECRETS.googleKey);
    }
    expect(new Set(requests.map((r) => r.route)).size).toBeGreaterThan(15);
  });

  it('generate signed requests for every signed route', () => {
    const routes = new Set(fc.sample(signedRequest(), { numRuns: 500, seed: 42 }).map((r) => r.route));
    for (const route of [
      'POST /webhooks/meta',
      'POST /webhooks/linkedin',
      'POST /webhooks/tiktok/{token}',
      'POST /webhooks/google',
      'POST /forms/{formId}',
      'POST /slack/actions',
      'GET /webhooks/meta',
    ]) {
      expect(routes).toContain(route);
    }
  });
});
