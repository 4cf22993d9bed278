import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type FuzzHub, fuzzRoutes, startFuzzHub } from '../../bench/chaos/fuzz.js';

/** Property-based fuzzing of every HTTP route (fast-check, fixed seed, bounded runs). */
describe('fuzzed requests on every route', () => {
  let hub: FuzzHub;
  beforeAll(async () => {
    hub = await startFuzzHub({ dynamoEndpoint: inject('dynamoEndpoint') });
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('forged requests: never a 5xx or a dropped connection, every error JSON with a message, nothing stored', async () => {
    const report = await fuzzRoutes({
      url: hub.url,
      family: 'forged',
      numRuns: 300,
      seed: 20261130,
      receiptsCreated: () => hub.receipts.length,
    });
    expect(report.failure).toBeUndefined();
    expect(report.runs).toBe(300);
    expect(report.storedByForged).toBe(0);
    expect(hub.receipts).toEqual([]);
    // Refusals of several kinds were met (signature, not found, method, …), not one canned answer.
    expect(Object.keys(report.statuses).filter((s) => s.startsWith('4')).length).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('signed but malformed requests: never a 5xx, every refusal explained', async () => {
    const report = await fuzzRoutes({
      url: hub.url,
      family: 'signed',
      numRuns: 300,
      seed: 20261130,
      receiptsCreated: () => hub.receipts.length,
    });
    expect(report.failure).toBeUndefined();
    // Past the signature checks: the parsers refused bodies (400) and took some (2xx).
    expect(report.statuses['400'] ?? 0).toBeGreaterThan(0);
    expect(Object.keys(report.statuses).some((s) => s.startsWith('2'))).toBe(true);
  }, 60_000);
});

describe('the route fuzzer can fail', () => {
  it('finds and shrinks a handler that answers 500 to some bodies', async () => {
    const broken = await startFuzzHub({
      dynamoEndpoint: inject('dynamoEndpoint'),
      factories: {
        webhooksHttp: () => async (event) =>
          (event.body ?? '').includes('{')
            ? { statusCode: 500, body: 'boom' }
            : { statusCode: 401, headers: { 'content-type': 'application/json' }, body: '{"message":"no"}' },
      },
    });
    try {
      const report = await fuzzRoutes({
        url: broken.url,
        family: 'signed',
        numRuns: 200,
        seed: 7,
        receiptsCreated: () => broken.receipts.length,
      });
      expect(report.failure?.reason).toMatch(/500 for malformed input/);
      expect(report.failure?.request).toMatch(/webhooks/);
    } finally {
      await broken.close();
    }
  }, 60_000);
});
