import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../bench/fake-slack.js';
import { FAST_TUNING, hubOptions } from '../../bench/hub/options.js';
import { googleSource } from '../../bench/sources/google.js';
import { linkedinSource } from '../../bench/sources/linkedin.js';
import { tiktokSource } from '../../bench/sources/tiktok.js';
import type { BenchSource } from '../../bench/sources/types.js';
import { type RunningHub, startHub } from '../../lib/local/runtime.js';

const LEADS = 5;

/**
 * The platform sources of `npm run bench` against the whole hub, configured the way the bench configures
 * it: every lead sent must be accepted and reach Slack exactly once.
 */
describe.each([linkedinSource, tiktokSource, googleSource])('bench source $name', (source: BenchSource) => {
  let slack: FakeSlack;
  let hub: RunningHub;
  let closeSource: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    slack = await startFakeSlack();
    const extra = await source.setup?.();
    closeSource = extra?.close;
    const options = hubOptions({ sources: [source], slackUrl: slack.url, tuning: FAST_TUNING });
    hub = await startHub({
      env: {
        ...options.env,
        ...extra?.env,
        DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
        TABLE_NAME: `leadhub-bench-${randomUUID().slice(0, 8)}`,
      },
      config: options.config,
      tuning: options.tuning,
      log: () => undefined,
    });
  });

  afterAll(async () => {
    await hub?.stop();
    await closeSource?.();
    await slack?.close();
  });

  it('gets every lead accepted and alerted exactly once', async () => {
    const sent = Array.from({ length: LEADS }, (_, seq) => source.request(seq, 'abc1'));
    const statuses = await Promise.all(
      sent.map(async (r) => {
        const res = await fetch(`${hub.url}${r.path}`, {
          method: r.method,
          headers: r.headers,
          body: r.body,
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses).toEqual(sent.map(() => source.acceptedStatus));

    const tokens = sent.map((r) => r.token);
    expect(await slack.waitFor(tokens, 20_000)).toBe(true);
    await hub.drain();
    expect([...slack.arrivals.keys()].sort()).toEqual([...tokens].sort());
    expect(slack.duplicates()).toBe(0);
    expect(hub.deadLetters()).toEqual({ capture: [], enrich: [], slack: [] });
    if (source.platformCalls) expect(source.platformCalls()).toBeGreaterThanOrEqual(LEADS);
  });
});
