import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  consentProofDocument,
  consentProofHash,
  PROOF_RECIPE,
} from '../../../lib/consent/proof.js';

const input = {
  submission: { email: 'jane@acme.io', marketing_opt_in: 'on', nested: { b: 1, a: [2, 'x'] } },
  noticeText: 'Yes, send me product news.',
  noticeVersion: '2026-11',
  purpose: 'marketing_email',
  granted: true,
  at: '2026-11-30T10:00:00.000Z',
};

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys at every depth, keeps array order and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
  });

  it('writes strings and numbers as JSON.stringify does, and sorts keys by UTF-16 code units', () => {
    expect(canonicalJson({ é: 1, z: 2, A: 3 })).toBe('{"A":3,"z":2,"é":1}');
    expect(canonicalJson(['line\nbreak', '"q"', 1.5, -0, 1e21])).toBe(
      '["line\\nbreak","\\"q\\"",1.5,0,1e+21]',
    );
  });

  it('leaves out undefined members, writes undefined array items as null, and refuses NaN', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });
});

describe('consentProofHash', () => {
  /** Computed outside the code under test: `printf '%s' '<the document below>' | sha256sum`. */
  const KNOWN_HASH = 'a9cb144f46ab53ef4b2e4a72607973416c04672aee19553bfe833bd1a850337e';

  it('gives the pinned hash, whatever the key order of the submission', () => {
    const reordered = {
      ...input,
      submission: { nested: { a: [2, 'x'], b: 1 }, marketing_opt_in: 'on', email: 'jane@acme.io' },
    };
    expect(consentProofHash(input)).toBe(KNOWN_HASH);
    expect(consentProofHash(reordered)).toBe(KNOWN_HASH);
  });

  it('changes when the notice text or version, the choice, the time, the purpose or the submission changes', () => {
    const base = consentProofHash(input);
    for (const changed of [
      { ...input, noticeText: 'Yes, send me product news!' },
      { ...input, noticeVersion: '2026-12' },
      { ...input, granted: false },
      { ...input, at: '2026-11-30T10:00:01.000Z' },
      { ...input, purpose: 'phone_sms' },
      { ...input, submission: { ...input.submission, marketing_opt_in: 'off' } },
    ]) {
      expect(consentProofHash(changed)).not.toBe(base);
    }
  });

  it('is the SHA-256 of the documented canonical document, so an auditor can recompute it', () => {
    // The README recipe written out by hand: keys sorted, no whitespace.
    const expected =
      '{"at":"2026-11-30T10:00:00.000Z","granted":true,"noticeText":"Yes, send me product news.",' +
      '"noticeVersion":"2026-11","purpose":"marketing_email","recipe":"leadhub-consent-proof/1",' +
      '"submission":{"email":"jane@acme.io","marketing_opt_in":"on","nested":{"a":[2,"x"],"b":1}}}';
    expect(canonicalJson(consentProofDocument(input))).toBe(expected);
    expect(consentProofHash(input)).toBe(createHash('sha256').update(expected).digest('hex'));
    expect(createHash('sha256').update(expected).digest('hex')).toBe(KNOWN_HASH);
    expect(PROOF_RECIPE).toBe('leadhub-consent-proof/1');
  });

  it('hashes a missing submission as null', () => {
    expect(consentProofDocument({ ...input, submission: undefined }).submission).toBeNull();
  });
});
