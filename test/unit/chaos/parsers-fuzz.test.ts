import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_BODIES } from '../../../bench/chaos/fuzz.js';
import { formSource } from '../../../bench/sources/form.js';
import { InvalidInteractionError, parseInteraction } from '../../../lib/adapters/slack/interaction.js';
import { verifySlackRequest } from '../../../lib/adapters/slack/signature.js';
import { parseHubConfig } from '../../../lib/config.js';
import { verifySha256Signature } from '../../../lib/http/raw-body.js';
import { normaliseLead } from '../../../lib/lead/normalise.js';
import { InvalidEventError, parseLeadCapturedBody } from '../../../lib/pipeline/enrich-score.js';
import { mapFormSubmission } from '../../../lib/sources/form/map.js';
import { parseFormBody } from '../../../lib/sources/form/parse.js';
import { parseGoogleWebhook } from '../../../lib/sources/google/parse.js';
import { checkGoogleKey } from '../../../lib/sources/google/verify.js';
import { parseLinkedInWebhook } from '../../../lib/sources/linkedin/parse.js';
import { answerChallenge, verifyLinkedInSignature } from '../../../lib/sources/linkedin/verify.js';
import { parseMetaWebhook } from '../../../lib/sources/meta/parse.js';
import { answerHandshake, verifyMetaSignature } from '../../../lib/sources/meta/verify.js';
import { advertiserAllowList, parseTikTokWebhook } from '../../../lib/sources/tiktok/parse.js';
import { checkOpenSignature, checkPathToken } from '../../../lib/sources/tiktok/verify.js';
import { errorOf } from '../../support/thrown.js';

/** Fixed seed and bounded runs: deterministic in `npm test`; `npm run chaos` fuzzes the routes wider. */
const params = { seed: 20261130, numRuns: 300 };
const shaped = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(
    arb.map((v) => Buffer.from(JSON.stringify(v))),
    FUZZ_BODIES.any,
  );

/** A parse result is either ok or a refusal with a message, never a throw. */
function refusalHasMessage(result: { ok: boolean; message?: unknown }) {
  if (!result.ok) expect(typeof result.message === 'string' && result.message.length > 0).toBe(true);
}

describe('every parser takes any bytes without throwing (fast-check, fixed seed)', () => {
  it('Meta webhook bodies', () => {
    fc.assert(
      fc.property(shaped(FUZZ_BODIES.meta), (body) => {
        const result = parseMetaWebhook(body);
        refusalHasMessage(result);
        // Platform ids stay strings whatever arrives.
        if (result.ok) for (const n of result.notifications) expect(typeof n.leadgenId).toBe('string');
      }),
      params,
    );
  });

  it('LinkedIn webhook bodies', () => {
    fc.assert(
      fc.property(shaped(FUZZ_BODIES.linkedIn), (body) => refusalHasMessage(parseLinkedInWebhook(body))),
      params,
    );
  });

  it('TikTok webhook bodies, with and without an advertiser allow-list', () => {
    const allow = advertiserAllowList('7163948356417552385');
    fc.assert(
      fc.property(shaped(FUZZ_BODIES.tiktok), fc.boolean(), (body, listed) =>
        refusalHasMessage(parseTikTokWebhook(body, listed ? allow : undefined)),
      ),
      params,
    );
  });

  it('Google webhook bodies', () => {
    fc.assert(
      fc.property(shaped(FUZZ_BODIES.google), (body) => refusalHasMessage(parseGoogleWebhook(body))),
      params,
    );
  });

  it('form bodies of any content type, then the mapping and normalisation of what parses', () => {
    const config = parseHubConfig(formSource.config);
    const form = config.forms.bench;
    if (!form) throw new Error('bench form missing');
    const bodies = fc.oneof(
      FUZZ_BODIES.formFields.map((f) => Buffer.from(JSON.stringify(f))),
      FUZZ_BODIES.formFields.map((f) =>
        Buffer.from(
          new URLSearchParams(Object.entries(f).map(([k, v]): [string, string] => [k, String(v)])).toString(),
        ),
      ),
      FUZZ_BODIES.any,
    );
    fc.assert(
      fc.property(fc.option(FUZZ_BODIES.contentType, { nil: undefined }), bodies, (contentType, body) => {
        const parsed = parseFormBody(contentType, body);
        if (!parsed.ok) {
          expect([400, 415]).toContain(parsed.status);
          expect(parsed.message.length).toBeGreaterThan(0);
          return;
        }
        const mapped = mapFormSubmission(form, parsed.fields, {
          formId: 'bench',
          receivedAt: '2026-11-30T10:00:00.000Z',
          signed: true,
        });
        for (const issue of mapped.issues) expect(issue.message.length).toBeGreaterThan(0);
        const normalised = normaliseLead(
          mapped.lead,
          { leadId: 'ld_fuzz', receivedAt: '2026-11-30T10:00:00.000Z' },
          { defaultCountry: 'US', required: form.required },
        );
        if (!normalised.ok) expect(normalised.issues.length).toBeGreaterThan(0);
      }),
      params,
    );
  });

  it('Slack interaction payloads: parsed, or refused with InvalidInteractionError', () => {
    const bodies = fc.oneof(
      FUZZ_BODIES.slackPayload.map((p) => Buffer.from(`payload=${encodeURIComponent(JSON.stringify(p))}`)),
      FUZZ_BODIES.any,
    );
    fc.assert(
      fc.property(bodies, (body) => {
        const error = errorOf(() => parseInteraction(body));
        if (error !== undefined) expect(error).toBeInstanceOf(InvalidInteractionError);
      }),
      params,
    );
  });

  it('LeadCaptured queue records: parsed, or refused with InvalidEventError', () => {
    const records = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.json({ maxDepth: 4 }),
      fc
        .jsonValue({ maxDepth: 3 })
        .map((detail) => JSON.stringify({ 'detail-type': 'LeadCaptured', detail })),
    );
    fc.assert(
      fc.property(records, (body) => {
        const error = errorOf(() => parseLeadCapturedBody(body));
        if (error !== undefined) expect(error).toBeInstanceOf(InvalidEventError);
      }),
      params,
    );
  });
});

describe('every signature and key check answers false, never throws, on forged input', () => {
  const header = fc.oneof(
    fc.string({ unit: 'grapheme-ascii', maxLength: 100 }),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256=${Buffer.from(b).toString('hex')}`),
  );
  it('checks of signed bodies', () => {
    fc.assert(
      fc.property(header, FUZZ_BODIES.any, (signature, body) => {
        expect(verifyMetaSignature(signature, body, 'secret')).toBe(false);
        expect(verifySha256Signature(signature, body, 'secret')).toBe(false);
        expect(verifyLinkedInSignature(signature, body, 'secret')).toBeFalsy();
        expect(checkOpenSignature(signature, body, 'secret')).toBeNull();
        expect(
          verifySlackRequest({
            secret: 'secret',
            timestamp: '1700000000',
            signature,
            body,
            now: new Date(1_700_000_000_000),
          }).ok,
        ).toBe(false);
      }),
      params,
    );
  });

  it('checks of keys, tokens and handshakes', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.string({ maxLength: 60 }),
        fc.dictionary(fc.string(), fc.string()),
        (key, token, query) => {
          expect(checkGoogleKey(key, 'the-google-key')).toBe(false);
          expect(checkPathToken(token, 'the-path-token')).toBe(false);
          expect(answerHandshake(query, 'the-verify-token').ok).toBe(false);
          expect(typeof answerChallenge(token, 'secret')).toBe('object');
        },
      ),
      params,
    );
  });
});
