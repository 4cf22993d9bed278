import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { slackSignature } from '../../lib/adapters/slack/signature.js';
import { ALERT_ACTIONS } from '../../lib/alerts/actions.js';
import { type RunningHub, startHub } from '../../lib/local/runtime.js';
import { TimerScheduler } from '../../lib/local/timer-scheduler.js';
import { escalateLead } from '../../lib/pipeline/escalate.js';
import { type FakeSlack, type SlackCall, startFakeSlackApi } from '../support/fake-slack-api.js';

const BOT_TOKEN = 'xoxb-e2e-bot-token';
const SIGNING_SECRET = 'e2e-signing-secret';
const ADMIN_TOKEN = 'e2e-admin-token';

const baseConfig = JSON.parse(readFileSync(join(import.meta.dirname, '../../leadhub.config.json'), 'utf8'));

async function startSlackHub(
  slack: FakeSlack,
  sla: Record<string, unknown>,
  tableName = `leadhub-e2e-${randomUUID().slice(0, 8)}`,
) {
  const logs: string[] = [];
  const hub: RunningHub = await startHub({
    env: {
      PORT: '0',
      DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
      TABLE_NAME: tableName,
      LEADHUB_DB: 'memory',
      LEADHUB_ADMIN_TOKEN: ADMIN_TOKEN,
      LEADHUB_PEPPER: 'e2e-pepper',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    },
    config: {
      ...baseConfig,
      alerts: {
        testLeads: 'skip',
        defaultChannel: 'C0SALES',
        routes: [{ name: 'hot', match: { grades: ['A', 'B'] }, channel: 'C0HOT', mention: 'S0AES' }],
        sla,
      },
    },
    log: (line) => logs.push(line),
    tuning: { visibilityTimeoutMs: 200, batchWindowMs: 10 },
  });
  const postForm = (body: Record<string, string>) =>
    fetch(`${hub.url}/forms/contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** A click as Slack sends it: urlencoded payload, signed over the raw body with the signing secret. */
  const click = (
    leadId: string,
    userId: string,
    options: { action?: string; secret?: string; ts?: string } = {},
  ) => {
    const body = `payload=${encodeURIComponent(
      JSON.stringify({
        type: 'block_actions',
        user: { id: userId, username: userId.toLowerCase() },
        channel: { id: 'C0HOT' },
        message: { ts: '1767600000.000001' },
        response_url: slack.responseUrl(userId),
        actions: [{ action_id: options.action ?? ALERT_ACTIONS.claim, value: leadId, type: 'button' }],
      }),
    )}`;
    const ts = options.ts ?? String(Math.floor(Date.now() / 1000));
    return fetch(`${hub.url}/slack/actions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': ts,
        'x-slack-signature': slackSignature(options.secret ?? SIGNING_SECRET, ts, body),
      },
      body,
    });
  };
  const admin = async (path: string) => {
    const res = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return (await res.json()) as Record<string, unknown>;
  };
  return { hub, logs, postForm, click, admin, tableName };
}

const lead = (overrides: Record<string, string> = {}) => ({
  email: 'Maria.Garcia@Acme-Robotics.com',
  name: 'maria garcia',
  phone: '+1 415 555 2671',
  company: 'Acme Robotics',
  job_title: 'VP Sales',
  privacy_accepted: 'on',
  team_size: '51-200',
  utm_source: 'google',
  utm_medium: 'cpc',
  ...overrides,
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const leadIdOf = (call: SlackCall | undefined) => {
  const blocks = (call?.body.blocks ?? []) as {
    type: string;
    elements?: { action_id: string; value: string }[];
  }[];
  const actions = blocks.find((b) => b.type === 'actions');
  return actions?.elements?.find((e) => e.action_id === ALERT_ACTIONS.claim)?.value as string;
};

describe('speed-to-lead in a Slack app, on the local runtime', () => {
  const running: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.stop();
  });
  const track = async <T extends { stop(): Promise<void> }>(p: Promise<T>) => {
    const r = await p;
    running.push(r);
    return r;
  };

  it('posts a card with Claim, lets the first click win, updates it in place and tells the second rep', async () => {
    const slack = await track(startFakeSlackApi(BOT_TOKEN).then((s) => ({ ...s, stop: s.close })));
    const t = await startSlackHub(slack, { minutes: { A: 5, B: 5 } });
    running.push(t.hub);

    expect((await t.postForm(lead())).status).toBe(202);
    await t.hub.drain();
    const posts = slack.of('chat.postMessage');
    expect(posts).toHaveLength(1);
    const card = posts[0];
    expect(card?.auth).toBe(`Bearer ${BOT_TOKEN}`);
    expect(card?.body.channel).toBe('C0HOT');
    expect(card?.body.text).toMatch(/^<!subteam\^S0AES> New lead: Maria Garcia, Acme Robotics/);
    const leadId = leadIdOf(card);
    expect(leadId).toMatch(/^ld_/);

    // A forged click changes nothing.
    const forged = await t.click(leadId, 'U0MALLORY', { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const stale = await t.click(leadId, 'U0MALLORY', { ts: String(Math.floor(Date.now() / 1000) - 600) });
    expect(stale.status).toBe(401);
    expect(slack.of('chat.update')).toHaveLength(0);

    const first = await t.click(leadId, 'U0ALICE');
    expect(first.status).toBe(200);
    const updates = slack.of('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.body).toMatchObject({ channel: 'C0HOT', ts: '1767600000.000001' });
    const updated = JSON.stringify(updates[0]?.body.blocks);
    expect(updated).toContain('Claimed by <@U0ALICE> after');
    expect(updated).not.toContain(ALERT_ACTIONS.claim);

    const second = await t.click(leadId, 'U0BOB');
    expect(second.status).toBe(200);
    expect(slack.of('response_url')).toEqual([
      {
        method: 'response_url',
        body: {
          response_type: 'ephemeral',
          replace_original: false,
          text: expect.stringMatching(/^<@U0ALICE> already claimed this lead/),
        },
      },
    ]);
    expect(slack.of('chat.update')).toHaveLength(1);

    const metrics = await t.admin('/api/metrics/speed-to-lead?days=7');
    expect(metrics).toMatchObject({
      leads: 1,
      bySource: { form: { stages: { createdToAlerted: { count: 1 }, createdToClaimed: { count: 1 } } } },
    });
    expect(t.logs.join('\n')).not.toContain('maria.garcia@acme-robotics.com');
    expect(t.logs.join('\n')).not.toContain(BOT_TOKEN);
  });

  it('escalates an unclaimed lead when its SLA passes, and a claim on the repost updates both cards and stops level 2', async () => {
    const slack = await track(startFakeSlackApi(BOT_TOKEN).then((s) => ({ ...s, stop: s.close })));
    // 0.05 min = 3 s for every grade, escalated to C0ESC with @here; level 2 an hour later, to C0BOSS.
    const t = await startSlackHub(slack, {
      minutes: { A: 0.05, B: 0.05, C: 0.05, D: 0.05 },
      escalation: { channel: 'C0ESC' },
      secondLevel: { afterMinutes: 60, channel: 'C0BOSS', mention: 'U0BOSS' },
    });
    running.push(t.hub);
    const scheduler = t.hub.deps.scheduler;
    if (!(scheduler instanceof TimerScheduler)) throw new Error('the local hub runs SLA timers in-process');
    const armedFor = (leadId: string) =>
      scheduler
        .pending()
        .filter((p) => p.payload.leadId === leadId)
        .map((p) => p.payload.level);

    expect((await t.postForm(lead())).status).toBe(202);
    await t.hub.drain();
    expect(slack.of('chat.postMessage')).toHaveLength(1);
    await until(() => slack.of('chat.postMessage').length === 2);
    const repost = slack.of('chat.postMessage')[1];
    expect(repost?.body.channel).toBe('C0ESC');
    expect(repost?.body.text).toMatch(/^<!here> Unclaimed for /);

    const leadId = leadIdOf(repost);
    // Level 2 is still to come: the claim below is what must stop it. The escalation records level 2 after
    // its repost reached Slack, so wait for the record rather than read it at once.
    const pendingLevels = async () =>
      (await t.hub.deps.store.listPendingSlas()).map((p) => [p.leadId, p.level]);
    await until(async () => (await pendingLevels()).some(([id, level]) => id === leadId && level === 2));
    expect(armedFor(leadId)).toEqual([2]);
    expect(await pendingLevels()).toEqual([[leadId, 2]]);

    expect((await t.click(leadId, 'U0CAROL')).status).toBe(200);
    const updates = slack.of('chat.update');
    expect(updates.map((u) => u.body.channel).sort()).toEqual(['C0ESC', 'C0HOT']);
    for (const u of updates) expect(JSON.stringify(u.body.blocks)).toContain('Claimed by <@U0CAROL>');

    // Nothing escalates after the claim: the level-2 timer is gone, the store has nothing pending, and a
    // timer whose cancel lost the race finds the lead decided and posts nothing.
    expect(armedFor(leadId)).toEqual([]);
    expect(await t.hub.deps.store.listPendingSlas()).toEqual([]);
    expect(await escalateLead(t.hub.deps, { kind: 'sla', leadId, level: 2 })).toEqual({
      result: 'skipped',
      reason: 'decided',
    });
    expect(slack.of('chat.postMessage')).toHaveLength(2);
  });

  it('refuses to start when leads no route matches would have no channel, naming alerts.defaultChannel', async () => {
    const start = startHub({
      env: {
        PORT: '0',
        DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
        LEADHUB_DB: 'memory',
        LEADHUB_PEPPER: 'e2e-pepper',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
      },
      config: {
        ...baseConfig,
        alerts: { routes: [{ name: 'hot', match: { grades: ['A'] }, channel: 'C0HOT' }] },
      },
      log: () => undefined,
    });
    await expect(start).rejects.toThrow(/alerts\.defaultChannel: is not set and no route matches every lead/);
  });

  it('waits out a 429 from Slack and still posts the alert once', async () => {
    const slack = await track(startFakeSlackApi(BOT_TOKEN).then((s) => ({ ...s, stop: s.close })));
    slack.rateLimitNextPosts(1);
    const t = await startSlackHub(slack, { enabled: false });
    running.push(t.hub);
    expect((await t.postForm(lead())).status).toBe(202);
    await t.hub.drain();
    expect(slack.of('rate_limited')).toHaveLength(1);
    expect(slack.of('chat.postMessage')).toHaveLength(1);
    expect(t.hub.deadLetters().slack).toHaveLength(0);

    // On exit the local runtime logs the speed-to-lead summary.
    await t.hub.stop();
    const summary = t.logs.find((line) => line.includes('Speed to lead, last 7 days'));
    expect(summary).toContain('1 lead(s)');
    expect(summary).toContain('createdToAlerted p50');
  });

  it('rebuilds SLA timers from the store when the hub starts again', async () => {
    const slack = await track(startFakeSlackApi(BOT_TOKEN).then((s) => ({ ...s, stop: s.close })));
    const sla = { minutes: { A: 0.05, B: 0.05, C: 0.05, D: 0.05 } };
    const first = await startSlackHub(slack, sla);
    expect((await first.postForm(lead())).status).toBe(202);
    await first.hub.drain();
    expect(slack.of('chat.postMessage')).toHaveLength(1);
    // Stopped before the SLA passes: its timers die with it.
    await first.hub.stop();

    const second = await startSlackHub(slack, sla, first.tableName);
    running.push(second.hub);
    await until(() => slack.of('chat.postMessage').length === 2);
    expect(slack.of('chat.postMessage')[1]?.body.text).toMatch(/Unclaimed for/);
  });
});
