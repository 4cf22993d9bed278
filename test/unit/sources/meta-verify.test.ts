import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { answerHandshake, verifyMetaSignature } from '../../../lib/sources/meta/verify.js';

const SECRET = 'app-secret-123';
// The documented delivery shape, with Meta's escaped unicode (the bytes on the wire).
const body = Buffer.from(
  '{"object":"page","entry":[{"id":153125381133,"time":1438292065,"changes":[{"field":"leadgen","value":' +
    '{"leadgen_id":123123123123,"page_id":153125381133,"form_id":12312312312,"adgroup_id":12312312312,' +
    '"ad_id":12312312312,"created_time":1440120384,"note":"\\u00e4\\u00f6\\u00e5"}}]}]}',
);
const sign = (data: Buffer | string, secret = SECRET) =>
  createHmac('sha256', secret).update(data).digest('hex');

describe('Meta subscription handshake', () => {
  const query = (overrides: Record<string, string | undefined> = {}) => ({
    'hub.mode': 'subscribe',
    'hub.challenge': '1158201444',
    'hub.verify_token': 'meatyhamhock',
    ...overrides,
  });

  it('echoes exactly the challenge when mode and verify token are right', () => {
    expect(answerHandshake(query(), 'meatyhamhock')).toEqual({ ok: true, challenge: '1158201444' });
  });

  it('refuses a wrong verify token, also one that is a prefix or differs only in case', () => {
    for (const token of ['wrong', 'meatyham', 'meatyhamhock2', 'MEATYHAMHOCK', '']) {
      expect(answerHandshake(query({ 'hub.verify_token': token }), 'meatyhamhock')).toEqual({
        ok: false,
        why: 'wrong_verify_token',
      });
    }
    expect(answerHandshake(query({ 'hub.verify_token': undefined }), 'meatyhamhock').ok).toBe(false);
  });

  it('refuses any mode but subscribe', () => {
    for (const mode of ['unsubscribe', 'SUBSCRIBE', '', undefined]) {
      expect(answerHandshake(query({ 'hub.mode': mode }), 'meatyhamhock')).toMatchObject({
        why: 'wrong_mode',
      });
    }
  });

  it('refuses a missing, empty or unsafe challenge', () => {
    for (const challenge of [undefined, '', '<script>alert(1)</script>', 'x'.repeat(300)]) {
      expect(answerHandshake(query({ 'hub.challenge': challenge }), 'meatyhamhock')).toMatchObject({
        ok: false,
        why: 'bad_challenge',
      });
    }
  });

  it('refuses everything when no verify token is configured', () => {
    expect(answerHandshake(query({ 'hub.verify_token': '' }), undefined)).toMatchObject({ ok: false });
    expect(answerHandshake(query(), '')).toMatchObject({ ok: false, why: 'verify_token_not_configured' });
    expect(answerHandshake(undefined, 'meatyhamhock').ok).toBe(false);
  });
});

describe('X-Hub-Signature-256', () => {
  it('accepts the HMAC-SHA256 of the raw bytes, lower- or upper-case hex', () => {
    expect(verifyMetaSignature(`sha256=${sign(body)}`, body, SECRET)).toBe(true);
    expect(verifyMetaSignature(`sha256=${sign(body).toUpperCase()}`, body, SECRET)).toBe(true);
  });

  it('rejects a missing header, a missing prefix, SHA-1 and an empty secret', () => {
    expect(verifyMetaSignature(undefined, body, SECRET)).toBe(false);
    expect(verifyMetaSignature('', body, SECRET)).toBe(false);
    expect(verifyMetaSignature(sign(body), body, SECRET)).toBe(false);
    const sha1 = createHmac('sha1', SECRET).update(body).digest('hex');
    expect(verifyMetaSignature(`sha1=${sha1}`, body, SECRET)).toBe(false);
    expect(verifyMetaSignature(`sha256=${sign(body, '')}`, body, '')).toBe(false);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyMetaSignature(`sha256=${sign(body, 'other-secret')}`, body, SECRET)).toBe(false);
  });

  it('rejects a body with one byte tampered, anywhere', () => {
    const header = `sha256=${sign(body)}`;
    for (const at of [0, 40, body.length - 1]) {
      const tampered = Buffer.from(body);
      tampered[at] = (tampered[at] as number) ^ 0x01;
      expect(verifyMetaSignature(header, tampered, SECRET)).toBe(false);
    }
  });

  it('does not verify against re-serialised JSON: the raw escaped-unicode bytes are what is signed', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
    expect(reserialised.equals(body)).toBe(false);
    expect(verifyMetaSignature(`sha256=${sign(body)}`, reserialised, SECRET)).toBe(false);
  });

  it('rejects a truncated or over-long signature', () => {
    const hex = sign(body);
    expect(verifyMetaSignature(`sha256=${hex.slice(0, 63)}`, body, SECRET)).toBe(false);
    expect(verifyMetaSignature(`sha256=${hex}0`, body, SECRET)).toBe(false);
  });
});
