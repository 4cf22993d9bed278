import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type ChaosOptions, type ChaosReport, runChaos } from '../../bench/chaos/harness.js';
import {
  HOSTILE_CASES,
  HOSTILE_DELIVERIES_PER_ROUND,
  HOSTILE_LEADS_PER_ROUND,
} from '../../bench/chaos/hostile.js';

/**
 * The deterministic parts of `npm run chaos`, small enough for `npm test`: the whole
 * hub in this process against the test dynalite, five sources, fixed seeds. The counts are exact (no
 * timing is asserted): every accepted lead stored, scored and alerted exactly once.
 */
const base: Omit<ChaosOptions, 'name' | 'deliveries' | 'faultRate' | 'recovery'> = {
  seed: 20261130,
  duplicateRate: 0.3,
  concurrency: 20,
  // No hanging reads or posts: each costs a client timeout, and the CLI covers them.
  hangs: false,
  slackTimeoutMs: 3_000,
};

function expectExactlyOnce(report: ChaosReport) {
  const { lostDetail, doubledDetail } = report;
  expect({ lostDetail, doubledDetail }).toEqual({
    lostDetail: { notStored: [], notScored: [], notAlerted: [], refused: [] },
    doubledDetail: { storedTwice: [], alertedTwice: [] },
  });
  expect(report.accepted + report.refused).toBe(report.uniqueLeads);
  expect(report.stored).toBe(report.accepted);
  expect(report.scored).toBe(report.accepted);
  expect(report.alerted).toBe(report.accepted);
  expect(report).toMatchObject({
    lost: 0,
    doubled: 0,
    strangers: 0,
    inDlq: 0,
    pendingReceipts: 0,
    quarantined: 0,
    stuck: 0,
    refusedButStored: [],
    settled: true,
  });
  expect(report.ok).toBe(true);
}

describe('reliability harness (deterministic parts)', () => {
  it('duplicate storm: 300 deliveries, 30% duplicates, 20 at a time, yield exactly the unique leads, one alert each', async () => {
    const report = await runChaos({
      ...base,
      name: 'storm',
      deliveries: 300,
      faultRate: 0,
      recovery: 'redrive',
      dynamoEndpoint: inject('dynamoEndpoint'),
    });
    expect(report.sent).toBe(300);
    expect(report.duplicatesSent).toBe(90);
    expect(report.uniqueLeads).toBe(210);
    expectExactlyOnce(report);
    // Redeliveries were recognised at the door: each one answered 2xx, none made a second lead.
    expect(report.requests).toBe(300);
    expect(report.faults.total).toBe(0);
  }, 120_000);

  it('seeded faults: with 20% of calls to DynamoDB, SQS, EventBridge, Secrets, the platforms and Slack failing, every accepted lead arrives once', async () => {
    const report = await runChaos({
      ...base,
      name: 'faults',
      deliveries: 140,
      faultRate: 0.2,
      recovery: 'redrive',
      dynamoEndpoint: inject('dynamoEndpoint'),
    });
    expect(report.uniqueLeads).toBe(98);
    // The faults really happened, at every seam…
    for (const service of ['dynamodb', 'sqs', 'eventbridge', 'secrets', 'platform', 'slack'] as const) {
      expect(
        Object.values(report.faults.injected[service]).reduce((a, b) => a + b, 0),
        service,
      ).toBeGreaterThan(0);
    }
    expect(report.faults.injected.dynamodb['lost-response']).toBeGreaterThan(0);
    // …senders saw 5xx and retried…
    expect(Object.keys(report.statuses).some((s) => s.startsWith('5'))).toBe(true);
    expect(report.requests).toBeGreaterThan(report.sent);
    // …and nothing was lost or doubled.
    expectExactlyOnce(report);
  }, 180_000);

  it('crash between receipt and enqueue: the stranded receipts are found by the sweeper and processed', async () => {
    const report = await runChaos({
      ...base,
      name: 'crash',
      deliveries: 60,
      faultRate: 0.3,
      services: ['sqs'],
      recovery: 'sweeper',
      sweepOlderThanMs: 3_000,
      dynamoEndpoint: inject('dynamoEndpoint'),
    });
    // Enqueues failed after the receipt was written; the retries were duplicates, so only the sweep timer
    // could have queued those leads.
    expect(
      (report.faults.injected.sqs.unavailable ?? 0) + (report.faults.injected.sqs.timeout ?? 0),
    ).toBeGreaterThan(0);
    expect(report.sweptByTimer).toBeGreaterThan(0);
    expect(report.redriven).toBe(0);
    expectExactlyOnce(report);
  }, 120_000);
});

describe('reliability harness: hostile inputs', () => {
  // One round of every hostile case (bench/chaos/hostile.ts) mixed with 18 ordinary deliveries.
  let report: ChaosReport;
  beforeAll(async () => {
    report = await runChaos({
      ...base,
      name: 'hostile',
      deliveries: 18,
      hostileRounds: 1,
      faultRate: 0,
      recovery: 'redrive',
      // A poison lead fails a redrive the same way it failed first; one redrive shows it.
      maxRecoveryRounds: 1,
      dynamoEndpoint: inject('dynamoEndpoint'),
    });
  }, 60_000);

  it('posts every hostile case in order, gets a final answer for each, and stores nothing it refused', () => {
    expect(report.sent).toBe(18 + HOSTILE_DELIVERIES_PER_ROUND);
    expect(report.uniqueLeads).toBe(13 + HOSTILE_LEADS_PER_ROUND);
    // Five ordinary redeliveries, and the hostile re-sent submission.
    expect(report.duplicatesSent).toBe(6);
    expect(report.hostile?.map((c) => c.case).sort()).toEqual([...HOSTILE_CASES].sort());
    // Every delivery ended in a 2xx or a refusal: no 5xx or timeout was left for the sender to retry.
    expect(report.unacknowledged).toBe(0);
    expect(report.accepted + report.refused).toBe(report.uniqueLeads);
    expect(report.statuses).not.toHaveProperty('no-answer');
    expect(Object.keys(report.statuses).filter((s) => s.startsWith('5'))).toEqual([]);
    // TikTok's body limit holds: the oversize delivery is refused, and nothing of it is stored.
    expect(report.hostile?.find((c) => c.case === 'tiktok-oversize')).toMatchObject({
      refused: 1,
      stored: 0,
      alerted: 0,
    });
    expect(report.refusedButStored).toEqual([]);
    expect(report.strangers).toBe(0);
  });

  it('every lead the hub accepted is stored and alerted exactly once, and nothing is stuck', () => {
    expect(
      report.hostile?.filter((c) => c.lost > 0 || c.doubled > 0).map((c) => c.case),
      'hostile cases that lost or doubled a lead',
    ).toEqual([]);
    expectExactlyOnce(report);
  });
});
