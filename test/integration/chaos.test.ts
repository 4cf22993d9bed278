import { describe, expect, inject, it } from 'vitest';
import { type ChaosOptions, type ChaosReport, runChaos } from '../../bench/chaos/harness.js';

/**
 * The deterministic parts of `npm run chaos` (issue 7, item 2), small enough for `npm test`: the whole
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
    lostDetail: { notStored: [], notScored: [], notAlerted: [] },
    doubledDetail: { storedTwice: [], alertedTwice: [] },
  });
  expect(report.accepted).toBe(report.uniqueLeads);
  expect(report.stored).toBe(report.accepted);
  expect(report.scored).toBe(report.accepted);
  expect(report.alerted).toBe(report.accepted);
  expect(report).toMatchObject({
    lost: 0,
    doubled: 0,
    strangers: 0,
    inDlq: 0,
    pendingReceipts: 0,
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
