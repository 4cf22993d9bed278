import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkOpenSignature, checkPathToken, escapeUnicode } from '../../../lib/sources/tiktok/verify.js';

const SECRET = 'tiktok-app-secret';
const hmac = (data: Buffer | string, secret = SECRET) =>
  createHmac('sha256', secret).update(data).digest('hex');

describe('TikTok path token', () => {
  it('accepts exactly the configured token', () => {
    expect(checkPathToken('s3cr3t-Path-Token', 's3cr3t-Path-Token')).toBe(true);
  });

  it('refuses another token, a prefix, another case, an empty one, or any when none is configured', () => {
    for (const given of ['nope', 's3cr3t', 's3cr3t-Path-Token2', 'S3CR3T-PATH-TOKEN', '', undefined]) {
      expect(checkPathToken(given, 's3cr3t-Path-Token'), String(given)).toBe(false);
    }
    expect(checkPathToken('anything', '')).toBe(false);
  });
});

describe('X-Open-Signature', () => {
  const ascii = Buffer.from('{"object":1,"entry":[{"id":7012345678901234567,"changes":[]}]}');

  it('accepts the hex HMAC-SHA256 of the raw body (any case, optional sha256= prefix)', () => {
    expect(checkOpenSignature(hmac(ascii), ascii, SECRET)).toBe('raw');
    expect(checkOpenSignature(hmac(ascii).toUpperCase(), ascii, SECRET)).toBe('raw');
    expect(checkOpenSignature(`sha256=${hmac(ascii)}`, ascii, SECRET)).toBe('raw');
  });

  it('accepts a signature over the unicode-escaped payload when the body came with raw UTF-8', () => {
    const utf8 = Buffer.from('{"changes":[{"field":"name","value":"Zoë Müller 🙂"}]}');
    const escaped = escapeUnicode(utf8.toString('utf8'));
    expect(escaped).toBe('{"changes":[{"field":"name","value":"Zo\\u00eb M\\u00fcller \\ud83d\\ude42"}]}');
    expect(checkOpenSignature(hmac(escaped), utf8, SECRET)).toBe('escaped');
    expect(checkOpenSignature(hmac(utf8), utf8, SECRET)).toBe('raw');
  });

  it('refuses a wrong secret, a changed body, garbage or an empty header', () => {
    expect(checkOpenSignature(hmac(ascii, 'other'), ascii, SECRET)).toBeNull();
    expect(checkOpenSignature(hmac(ascii), Buffer.from(`${ascii} `), SECRET)).toBeNull();
    expect(checkOpenSignature('t=1700000000,s=abc', ascii, SECRET)).toBeNull();
    expect(checkOpenSignature('', ascii, SECRET)).toBeNull();
    expect(checkOpenSignature(hmac(ascii, ''), ascii, '')).toBeNull();
  });
});
