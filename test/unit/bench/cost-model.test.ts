import { describe, expect, it } from 'vitest';
import {
  AWS_CALL_LATENCY_MS,
  computeMsPerRecord,
  costReport,
  DEFAULT_ASSUMPTIONS,
  dynamoSteps,
  modelledInvocationMs,
  xrayTracesPerSecond,
} from '../../../bench/cost-model.js';
import { Prices } from '../../../bench/prices.js';
import { chunks64k, emptyFunctionUsage, emptyUsage, type HubUsage } from '../../../bench/usage.js';
import { functionMemoryMb } from '../../../infra/function-memory.js';

/** 100 form leads through a pipeline that batches by 10, with hand-picked counts. */
function usageFor100Leads(): HubUsage {
  const u = emptyUsage();
  u.httpRequests = 100;
  u.functions['http-forms'] = {
    ...emptyFunctionUsage(),
    invocations: 100,
    wallMs: 200,
    callMs: 100,
    calls: { ...emptyFunctionUsage().calls, dynamo: 100, sqsSend: 100 },
  };
  u.functions['capture-worker'] = {
    ...emptyFunctionUsage(),
    invocations: 10,
    records: 100,
    wallMs: 500,
    callMs: 400,
    calls: { ...emptyFunctionUsage().calls, dynamo: 1000, putEvents: 100 },
  };
  u.functions['slack-notifier'] = {
    ...emptyFunctionUsage(),
    invocations: 100,
    records: 100,
    wallMs: 100,
    callMs: 50,
    calls: { ...emptyFunctionUsage().calls, dynamo: 200, slackPost: 100 },
  };
  u.queues.capture = {
    sends: 100,
    sendChunks: 100,
    receives: 10,
    receiveChunks: 10,
    deletes: 10,
    firstReceives: 100,
    redeliveries: 0,
  };
  u.events = { putEventsCalls: 100, entries: 200, entryChunks: 200, bytes: 200 * 1024, byType: {} };
  u.logs = { lines: 300, bytes: 300 * 200 };
  u.dynamo = {
    rows: [
      {
        fn: 'http-forms',
        op: 'PutItem',
        item: 'receipt',
        calls: 100,
        conditionFailed: 0,
        rru: 0,
        wru: 200,
        gsiWru: 0,
      },
      {
        fn: 'capture-worker',
        op: 'PutItem',
        item: 'lead',
        calls: 100,
        conditionFailed: 0,
        rru: 0,
        wru: 200,
        gsiWru: 400,
      },
      {
        fn: 'capture-worker',
        op: 'GetItem',
        item: 'identity',
        calls: 100,
        conditionFailed: 0,
        rru: 100,
        wru: 0,
        gsiWru: 0,
      },
    ],
    totals: {
      calls: 300,
      conditionFailed: 0,
      rru: 100,
      wru: 400,
      gsiWru: 400,
      storedBytes: 0,
      storedItems: 0,
    },
  };
  return u;
}

const line = (r: ReturnType<typeof costReport>, service: string, item: string) => {
  const found = r.lines.find((l) => l.service === service && l.item.startsWith(item));
  if (!found) throw new Error(`no line ${service} ${item}`);
  return found;
};

describe('costReport', () => {
  const report = costReport(usageFor100Leads(), 100);

  it('prices counted requests per lead with the price table', () => {
    expect(line(report, 'API Gateway', 'HTTP API').perLead).toBe(1);
    expect(line(report, 'API Gateway', 'HTTP API').perMillion).toBeCloseTo(1.0, 10);
    expect(line(report, 'Lambda', 'invocations').perLead).toBeCloseTo(2.1, 10);
    expect(line(report, 'Lambda', 'invocations').perMillion).toBeCloseTo(2.1 * 0.2, 10);
    expect(line(report, 'DynamoDB', 'write request units (table)').perMillion).toBeCloseTo(4 * 0.625, 10);
    expect(line(report, 'DynamoDB', 'write request units (GSIs)').perMillion).toBeCloseTo(4 * 0.625, 10);
    expect(line(report, 'DynamoDB', 'read request units').perMillion).toBeCloseTo(1 * 0.125, 10);
    expect(line(report, 'SQS', 'capture queue').perLead).toBeCloseTo(1.2, 10);
    expect(line(report, 'SQS', 'capture queue').perMillion).toBeCloseTo(1.2 * 0.4, 10);
    expect(line(report, 'EventBridge', 'PutEvents').perMillion).toBeCloseTo(2, 10);
    expect(line(report, 'EventBridge', 'archive').perLead).toBeCloseTo(2, 10);
  });

  it('adds up the core lines, and the logs and X-Ray lines only into the full total', () => {
    const core = report.lines.filter((l) => l.core).reduce((s, l) => s + l.perMillion, 0);
    const all = report.lines.reduce((s, l) => s + l.perMillion, 0);
    expect(report.corePerMillion).toBeCloseTo(core, 10);
    expect(report.allPerMillion).toBeCloseTo(all, 10);
    expect(report.allPerMillion).toBeGreaterThan(report.corePerMillion);
    expect(line(report, 'CloudWatch Logs', 'ingestion').core).toBe(false);
  });

  it('models Lambda duration from compute at the CPU share plus one chain of waits per invocation', () => {
    const forms = report.functions.find((f) => f.fn === 'http-forms');
    // (200 - 100) ms over 100 requests = 1 ms of compute; waits: one DynamoDB call and one SQS send.
    expect(forms?.computeMsPerRecord).toBeCloseTo(1, 10);
    // http-forms has 512 MB: 512/1769 of a vCPU.
    expect(forms?.memoryMb).toBe(512);
    expect(forms?.modelledMsPerInvocation).toBeCloseTo(
      1 / (512 / 1769) + AWS_CALL_LATENCY_MS.dynamo + AWS_CALL_LATENCY_MS.sqsSend,
      10,
    );
    const capture = report.functions.find((f) => f.fn === 'capture-worker');
    // Ten records per batch: their compute adds up, their waits overlap (10 calls + 1 PutEvents each).
    expect(capture?.recordsPerInvocation).toBe(10);
    // The capture worker has 256 MB: half the CPU, so its compute takes twice as long, and half the GB.
    expect(capture?.memoryMb).toBe(functionMemoryMb('capture-worker'));
    expect(capture?.memoryMb).toBe(256);
    expect(capture?.modelledMsPerInvocation).toBeCloseTo(
      (10 * 1) / (256 / 1769) + 10 * AWS_CALL_LATENCY_MS.dynamo + AWS_CALL_LATENCY_MS.putEvents,
      10,
    );
    expect(capture?.gbSecondsPerLead).toBeCloseTo(
      (capture?.invocationsPerLead ?? 0) * 0.25 * (Math.ceil(capture?.modelledMsPerInvocation ?? 0) / 1000),
      12,
    );
    const gbs = report.functions.reduce((s, f) => s + f.gbSecondsPerLead, 0);
    expect(line(report, 'Lambda', 'duration').perLead).toBeCloseTo(gbs, 12);
    expect(line(report, 'Lambda', 'duration').perMillion).toBeCloseTo(
      gbs * Prices.lambdaArmGbSecond * 1e6,
      8,
    );
  });

  it('takes handler compute from a calibration run when given one', () => {
    const calibration = emptyUsage();
    calibration.functions['http-forms'] = {
      ...emptyFunctionUsage(),
      invocations: 10,
      wallMs: 50,
      callMs: 20,
    };
    const calibrated = costReport(usageFor100Leads(), 100, DEFAULT_ASSUMPTIONS, calibration);
    expect(calibrated.calibrated).toBe(true);
    expect(calibrated.functions.find((f) => f.fn === 'http-forms')?.computeMsPerRecord).toBeCloseTo(3, 10);
  });

  it('refuses to price zero leads', () => {
    expect(() => costReport(emptyUsage(), 0)).toThrow(RangeError);
    expect(() => dynamoSteps(emptyUsage(), 0)).toThrow(RangeError);
  });
});

describe('model helpers', () => {
  it('ignores functions that never ran', () => {
    expect(modelledInvocationMs(emptyFunctionUsage(), 5, 512)).toBe(0);
    expect(computeMsPerRecord(emptyFunctionUsage())).toBe(0);
  });

  it('samples X-Ray traces at 1 per second, then 5 %', () => {
    expect(xrayTracesPerSecond(0.5, DEFAULT_ASSUMPTIONS)).toBe(0.5);
    expect(xrayTracesPerSecond(21, DEFAULT_ASSUMPTIONS)).toBeCloseTo(2, 10);
  });

  it('counts SQS and EventBridge payloads in 64 KB chunks', () => {
    expect(chunks64k(0)).toBe(1);
    expect(chunks64k(64 * 1024)).toBe(1);
    expect(chunks64k(64 * 1024 + 1)).toBe(2);
  });

  it('ranks DynamoDB steps by what they cost', () => {
    const steps = dynamoSteps(usageFor100Leads(), 100);
    expect(steps.map((s) => s.item)).toEqual(['lead', 'receipt', 'identity']);
    expect(steps[0]?.perMillion).toBeCloseTo(6 * 0.625, 10);
    expect(steps[0]?.gsiWruPerLead).toBe(4);
  });
});
