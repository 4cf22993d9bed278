import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidInteractionError, parseInteraction } from '../../../lib/adapters/slack/interaction.js';
import { slackSignature, verifySlackRequest } from '../../../lib/adapters/slack/signature.js';
import { ALERT_ACTIONS } from '../../../lib/alerts/actions.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const now = new Date('2026-01-05T10:00:00.000Z');
const ts = String(now.getTime() / 1000);
const body = Buffer.from('payload=%7B%22type%22%3A%22block_actions%22%7D');

describe('Slack request signature', () => {
  it("matches Slack's documented recipe: v0= hex HMAC-SHA256 of v0:{ts}:{body}", () => {
    const manual = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body.toString()}`).digest('hex')}`;
    expect(slackSignature(SECRET, ts, body)).toBe(manual);
  });

  const check = (overrides: Partial<Parameters<typeof verifySlackRequest>[0]> = {}) =>
    verifySlackRequest({
      secret: SECRET,
      timestamp: ts,
      signature: slackSignature(SECRET, ts, body),
      body,
      now,
      ...overrides,
    });

  it('accepts a valid signature, within the five-minute window either way', () => {
    expect(check()).toEqual({ ok: true });
    expect(check({ now: new Date(now.getTime() + 299_000) })).toEqual({ ok: true });
    expect(check({ now: new Date(now.getTime() - 299_000) })).toEqual({ ok: true });
  });

  it('refuses a stale (or future) timestamp even with a valid signature', () => {
    expect(check({ now: new Date(now.getTime() + 301_000) })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(check({ now: new Date(now.getTime() - 301_000) })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    const old = String(Number(ts) - 3600);
    expect(check({ timestamp: old, signature: slackSignature(SECRET, old, body) })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(check({ timestamp: '1e9' })).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('refuses a tampered body, a wrong secret, another timestamp and a malformed header', () => {
    expect(check({ body: Buffer.from(`${body.toString()}x`) })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(check({ signature: slackSignature('not-the-secret', ts, body) })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(check({ timestamp: String(Number(ts) + 1) })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check({ signature: slackSignature(SECRET, ts, body).replace('v0=', 'v1=') })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(check({ signature: 'v0=abc' })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a request without the headers', () => {
    expect(check({ signature: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(check({ timestamp: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
  });
});

const encode = (payload: unknown) => Buffer.from(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
const click = (overrides: Record<string, unknown> = {}, action: Record<string, unknown> = {}) => ({
  type: 'block_actions',
  user: { id: 'U0ALICE', username: 'alice', team_id: 'T1' },
  team: { id: 'T1' },
  channel: { id: 'C0SALES', name: 'sales' },
  container: { type: 'message', message_ts: '1767600000.000100', channel_id: 'C0SALES' },
  message: { ts: '1767600000.000100', text: 'New lead' },
  response_url: 'https://hooks.slack.com/actions/T1/123/abc',
  trigger_id: '1.2.3',
  actions: [
    { action_id: ALERT_ACTIONS.claim, block_id: 'b', value: 'ld_abc-123', type: 'button', action_ts: '1' },
  ],
  ...overrides,
  ...(Object.keys(action).length
    ? { actions: [{ action_id: ALERT_ACTIONS.claim, value: 'ld_abc-123', ...action }] }
    : {}),
});

describe('interaction payloads', () => {
  it('reads a Claim click: lead, user, channel, message and response_url', () => {
    expect(parseInteraction(encode(click()))).toEqual({
      kind: 'alert-action',
      action: ALERT_ACTIONS.claim,
      leadId: 'ld_abc-123',
      userId: 'U0ALICE',
      channel: 'C0SALES',
      messageTs: '1767600000.000100',
      responseUrl: 'https://hooks.slack.com/actions/T1/123/abc',
    });
    expect(parseInteraction(encode(click({}, { action_id: ALERT_ACTIONS.notAFit })))).toMatchObject({
      action: ALERT_ACTIONS.notAFit,
    });
  });

  it('ignores other payload types and other apps’ buttons', () => {
    expect(parseInteraction(encode({ type: 'view_submission' }))).toEqual({
      kind: 'ignored',
      type: 'view_submission',
    });
    expect(parseInteraction(encode(click({}, { action_id: 'something_else' })))).toEqual({
      kind: 'ignored',
      type: 'block_actions',
    });
  });

  it('rejects what is not a valid payload', () => {
    expect(() => parseInteraction(Buffer.from('nothing=here'))).toThrow(InvalidInteractionError);
    expect(() => parseInteraction(Buffer.from('payload=%7Bnot-json'))).toThrow('payload is not JSON');
    expect(() => parseInteraction(encode(click({ user: { id: '<!channel>' } })))).toThrow(
      /malformed at user.id/,
    );
    expect(() => parseInteraction(encode(click({}, { value: '../../etc' })))).toThrow('no valid lead id');
    expect(() => parseInteraction(encode(click({ actions: [] })))).toThrow(/malformed/);
  });
});
