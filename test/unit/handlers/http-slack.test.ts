import { describe, expect, it } from 'vitest';
import { slackSignature } from '../../../lib/adapters/slack/signature.js';
import { ALERT_ACTIONS } from '../../../lib/alerts/actions.js';
import { parseHubConfig } from '../../../lib/config.js';
import { createSlackHttpHandler } from '../../../lib/handlers/http-slack.js';
import { notifyLead } from '../../../lib/pipeline/notify.js';
import { fixedClock, fixedSecrets, httpEvent } from '../../support/fakes.js';
import { FakeAlertStore, FakeAppNotifier, RecordingScheduler } from '../pipeline/alert-fakes.js';
import { fakeDeps } from '../scoring/fixtures.js';

const SECRET = 'signing-secret-for-tests';

async function setup(secrets: Record<string, string> = { SLACK_SIGNING_SECRET: SECRET }) {
  const clock = fixedClock('2026-01-05T10:00:30.000Z');
  const notifier = new FakeAppNotifier();
  const deps = fakeDeps({
    store: new FakeAlertStore(),
    notifier,
    scheduler: new RecordingScheduler(),
    secrets: fixedSecrets(secrets),
    clock,
    config: parseHubConfig({ alerts: { defaultChannel: 'C0SALES' } }),
  });
  const store = deps.store as unknown as FakeAlertStore;
  const lead = store.addScored({}, { grade: 'A', score: 90 });
  await notifyLead(deps, lead);
  clock.set('2026-01-05T10:02:00.000Z');
  return { deps, store, notifier, handler: createSlackHttpHandler(deps), bus: deps.bus };
}

const payload = (userId = 'U0ALICE', actionId: string = ALERT_ACTIONS.claim) =>
  `payload=${encodeURIComponent(
    JSON.stringify({
      type: 'block_actions',
      user: { id: userId },
      channel: { id: 'C0SALES' },
      message: { ts: '1767600000.000001' },
      response_url: 'https://hooks.slack.com/actions/T/1/x',
      actions: [{ action_id: actionId, value: 'lead-1' }],
    }),
  )}`;

function request(body: string, headers: Record<string, string | undefined> = {}, secret = SECRET) {
  const ts = String(Date.parse('2026-01-05T10:02:00.000Z') / 1000);
  const all: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': ts,
    'x-slack-signature': slackSignature(secret, ts, body),
  };
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) delete all[k];
    else all[k] = v;
  }
  return httpEvent({
    method: 'POST',
    routeKey: 'POST /slack/actions',
    path: '/slack/actions',
    headers: all,
    body,
  });
}

const errorOf = (res: { body?: unknown }) => (JSON.parse(String(res.body)) as { error: string }).error;

describe('POST /slack/actions', () => {
  it('claims the lead for a correctly signed click and answers 200 at once', async () => {
    const { handler, store, notifier, bus } = await setup();
    const res = await handler(request(payload()));
    expect(res.statusCode).toBe(200);
    expect(store.records.get('lead-1')).toMatchObject({ outcome: 'claimed', outcomeBy: 'U0ALICE' });
    expect(notifier.updates).toHaveLength(1);
    expect(bus.published.map((e) => e.detailType)).toEqual(['LeadClaimed']);
  });

  it('tells the second rep who has the lead', async () => {
    const { handler, notifier } = await setup();
    await handler(request(payload('U0ALICE')));
    const res = await handler(request(payload('U0BOB')));
    expect(res.statusCode).toBe(200);
    expect(notifier.ephemeral).toEqual([
      {
        to: { userId: 'U0BOB', channel: 'C0SALES', responseUrl: 'https://hooks.slack.com/actions/T/1/x' },
        text: '<@U0ALICE> already claimed this lead under 1 min ago.',
      },
    ]);
  });

  it.each([
    [
      'a stale timestamp',
      { 'x-slack-request-timestamp': String(Date.parse('2026-01-05T09:50:00Z') / 1000) },
      'stale_timestamp',
    ],
    ['a wrong signature', { 'x-slack-signature': `v0=${'0'.repeat(64)}` }, 'bad_signature'],
    ['no signature', { 'x-slack-signature': undefined }, 'missing_headers'],
  ])('answers 401 to %s and changes nothing', async (_name, headers, code) => {
    const { handler, store, notifier, bus } = await setup();
    const res = await handler(request(payload(), headers));
    expect(res.statusCode).toBe(401);
    expect(errorOf(res)).toBe(code);
    expect(store.records.get('lead-1')?.outcome).toBeUndefined();
    expect(notifier.updates).toHaveLength(0);
    expect(bus.published).toHaveLength(0);
  });

  it('answers 401 to a tampered body and to a request signed with another secret', async () => {
    const { handler, store } = await setup();
    const signed = request(payload('U0ALICE'));
    const tampered = { ...signed, body: payload('U0MALLORY') };
    expect((await handler(tampered)).statusCode).toBe(401);
    expect((await handler(request(payload(), {}, 'another-secret'))).statusCode).toBe(401);
    expect(store.records.get('lead-1')?.outcome).toBeUndefined();
  });

  it('answers 401 when no signing secret is configured', async () => {
    const { handler, store } = await setup({});
    const res = await handler(request(payload()));
    expect(res.statusCode).toBe(401);
    expect(store.records.get('lead-1')?.outcome).toBeUndefined();
  });

  it('answers 400 to a signed but malformed payload, 200 to payloads it does not handle', async () => {
    const { handler } = await setup();
    expect((await handler(request('payload=%7Bbroken'))).statusCode).toBe(400);
    expect((await handler(request('no_payload=1'))).statusCode).toBe(400);
    const other = `payload=${encodeURIComponent(JSON.stringify({ type: 'shortcut' }))}`;
    expect((await handler(request(other))).statusCode).toBe(200);
  });

  it('answers 500 (Slack shows an error, the rep retries) when the event cannot be published', async () => {
    const { handler, bus } = await setup();
    bus.fail = true;
    const res = await handler(request(payload()));
    expect(res.statusCode).toBe(500);
    bus.fail = false;
    expect((await handler(request(payload()))).statusCode).toBe(200);
    expect(bus.published.map((e) => e.detailType)).toEqual(['LeadClaimed']);
  });
});
