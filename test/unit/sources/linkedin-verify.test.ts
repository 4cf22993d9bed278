import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { answerChallenge, verifyLinkedInSignature } from '../../../lib/sources/linkedin/verify.js';

const SECRET = 'li-client-secret';
// The documented notification shape, as bytes on the wire.
const body = Buffer.from(
  '{"type":"LEAD_ACTION","leadGenFormResponse":"urn:li:leadGenFormResponse:249592fc-d272-44ba-a7db-c2bdce579507-6",' +
    '"leadGenForm":"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)",' +
    '"owner":{"sponsoredAccount":"urn:li:sponsoredAccount:1234567"},' +
    '"associatedEntity":{"sponsoredCreative":"urn:li:sponsoredCreative:241257736"},' +
    '"leadType":"SPONSORED","leadAction":"CREATED","occurredAt":1689894599288}',
);
const hmac = (data: Buffer | string, secret = SECRET) =>
  createHmac('sha256', secret).update(data).digest('hex');
/** Reading A: the prefix is part of the HMAC input. */
const variantA = (data: Buffer, secret = SECRET) =>
  hmac(Buffer.concat([Buffer.from('hmacsha256='), data]), secret);
/** Reading B: the prefix is part of the header. */
const variantB = (data: Buffer, secret = SECRET) => `hmacsha256=${hmac(data, secret)}`;

describe('LinkedIn validation challenge', () => {
  it('answers the hex HMAC-SHA256 of the code, keyed with the client secret', () => {
    const code = '890e4665-4dfe-4ab1-b689-ed553bceeed0';
    expect(answerChallenge(code, SECRET)).toEqual({
      ok: true,
      challengeCode: code,
      challengeResponse: hmac(code),
    });
    expect(answerChallenge(code, 'another-secret')).not.toEqual(answerChallenge(code, SECRET));
  });

  it('refuses a missing, empty or unsafe code', () => {
    expect(answerChallenge(undefined, SECRET)).toEqual({ ok: false, why: 'missing_challenge' });
    expect(answerChallenge('', SECRET)).toEqual({ ok: false, why: 'missing_challenge' });
    for (const code of ['<script>', 'a b', 'x'.repeat(300), '../../etc']) {
      expect(answerChallenge(code, SECRET)).toMatchObject({ ok: false, why: 'bad_challenge' });
    }
  });
});

describe('X-LI-Signature', () => {
  it('accepts reading A (prefix hashed with the body) and says so', () => {
    expect(verifyLinkedInSignature(variantA(body), body, SECRET)).toBe('A');
    // The header may carry the prefix too.
    expect(verifyLinkedInSignature(`hmacsha256=${variantA(body)}`, body, SECRET)).toBe('A');
  });

  it('accepts reading B (prefix in the header) and says so', () => {
    expect(verifyLinkedInSignature(variantB(body), body, SECRET)).toBe('B');
    expect(verifyLinkedInSignature(hmac(body), body, SECRET)).toBe('B');
  });

  it('accepts upper-case hex and an upper-case prefix', () => {
    expect(verifyLinkedInSignature(variantA(body).toUpperCase(), body, SECRET)).toBe('A');
    expect(verifyLinkedInSignature(`HMACSHA256=${hmac(body).toUpperCase()}`, body, SECRET)).toBe('B');
  });

  it('refuses a wrong secret, a changed body, a truncated or missing signature', () => {
    const tampered = Buffer.from(body.toString().replace('CREATED', 'DELETED'));
    expect(verifyLinkedInSignature(variantA(body, 'wrong'), body, SECRET)).toBeNull();
    expect(verifyLinkedInSignature(variantB(body, 'wrong'), body, SECRET)).toBeNull();
    expect(verifyLinkedInSignature(variantA(body), tampered, SECRET)).toBeNull();
    expect(verifyLinkedInSignature(variantB(body), tampered, SECRET)).toBeNull();
    expect(verifyLinkedInSignature(variantA(body).slice(0, 40), body, SECRET)).toBeNull();
    expect(verifyLinkedInSignature('hmacsha256=', body, SECRET)).toBeNull();
    expect(verifyLinkedInSignature('', body, SECRET)).toBeNull();
    expect(verifyLinkedInSignature(undefined, body, SECRET)).toBeNull();
  });

  it('signs the raw bytes, not re-serialised JSON', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(verifyLinkedInSignature(variantA(reserialised), body, SECRET)).toBeNull();
  });

  it('refuses everything when no client secret is configured', () => {
    expect(verifyLinkedInSignature(variantA(body, ''), body, '')).toBeNull();
  });
});
