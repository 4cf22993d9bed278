import {
  type CostReport,
  costReport,
  DEFAULT_ASSUMPTIONS,
  type DynamoStepCost,
  dynamoSteps,
} from '../cost-model.js';
import type { FakeSlack } from '../fake-slack.js';
import type { HubProcess } from '../hub/client.js';
import type { BenchSource } from '../sources/types.js';
import type { HubUsage } from '../usage.js';
import { type EndToEndResult, runEndToEnd } from './e2e.js';

export interface CostResult {
  source: string;
  leads: number;
  perSecond: number;
  modelPerSecond: number;
  report: CostReport;
  dynamoSteps: DynamoStepCost[];
  /** The raw counts the report is computed from. */
  usage: HubUsage;
  /** End to end with the deployed stack's batching (batch 10, no batching window), metered. */
  endToEnd: EndToEndResult;
  /** The calibration run's counts (leads one at a time), when there was one. */
  calibration?: HubUsage;
}

/**
 * Runs `leads` leads through the metered runtime (queue batching as deployed) and prices what the
 * pipeline actually called. Usage counted while the hub started (table creation) is reset first.
 */
export async function runCost(options: {
  hub: HubProcess;
  slack: FakeSlack;
  source: BenchSource;
  run: string;
  leads: number;
  perSecond: number;
  /** Rate the time-based parts of the model assume (X-Ray reservoir, secret cache). */
  modelPerSecond: number;
  /** Usage of runCalibration, for the handlers' own compute. */
  calibration?: HubUsage;
}): Promise<CostResult> {
  const { hub } = options;
  await hub.reset();
  const platformBefore = options.source.platformCalls?.() ?? 0;
  const endToEnd = await runEndToEnd({
    hub,
    slack: options.slack,
    source: options.source,
    run: options.run,
    leads: options.leads,
    perSecond: options.perSecond,
  });
  await hub.drain(120_000);
  const usage = withPlatformCalls(
    await hub.usage(),
    (options.source.platformCalls?.() ?? 0) - platformBefore,
  );
  // Price what got through: leads that were accepted and alerted once.
  const leads = Math.max(1, endToEnd.alerted);
  return {
    source: options.source.name,
    leads,
    perSecond: options.perSecond,
    modelPerSecond: options.modelPerSecond,
    report: costReport(
      usage,
      leads,
      { ...DEFAULT_ASSUMPTIONS, leadsPerSecond: options.modelPerSecond },
      options.calibration,
    ),
    dynamoSteps: dynamoSteps(usage, leads),
    usage,
    endToEnd,
    ...(options.calibration ? { calibration: options.calibration } : {}),
  };
}

/**
 * Sends leads strictly one at a time (the next only after the previous one's Slack alert), so each
 * handler runs alone and its wall time minus its calls is its own compute. The first `warmup` leads
 * are not counted (module loading, JIT).
 */
export async function runCalibration(options: {
  hub: HubProcess;
  slack: FakeSlack;
  source: BenchSource;
  run: string;
  warmup: number;
  leads: number;
}): Promise<HubUsage> {
  const { hub, slack, source, run } = options;
  let platformBefore = 0;
  for (let i = 0; i < options.warmup + options.leads; i++) {
    if (i === options.warmup) {
      await hub.drain(10_000);
      await hub.reset();
      platformBefore = source.platformCalls?.() ?? 0;
    }
    const request = source.request(i, run);
    const res = await fetch(`${hub.url}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    await res.arrayBuffer();
    if (res.status !== source.acceptedStatus) throw new Error(`calibration lead got ${res.status}`);
    if (!(await slack.waitFor([request.token], 10_000))) throw new Error('calibration lead was not alerted');
    await hub.drain(10_000);
  }
  return withPlatformCalls(await hub.usage(), (source.platformCalls?.() ?? 0) - platformBefore);
}

/** Platform API reads are counted at the stand-in, outside the hub; the capture worker makes them. */
function withPlatformCalls(usage: HubUsage, calls: number): HubUsage {
  usage.functions['capture-worker'].calls.platformApi += calls;
  return usage;
}
