import type { HubTuning } from '../../lib/local/runtime.js';
import type { BenchSource } from '../sources/types.js';
import type { HubProcessOptions } from './protocol.js';

export const BENCH_PEPPER = 'bench-pepper-not-a-secret';

/**
 * Queue settings of the deployed stack (infra/stacks/leadhub-stack.ts): batches of 10, no batching window.
 * The hourly Meta reconciliation is off: the bench measures the webhook path, and a read-back of every
 * bench lead halfway through a run would measure something else (its cost is per form per hour, not per lead).
 * The HTTP throttles are off: the bench measures what the hub can take, from one address, past any limit.
 */
export const AWS_LIKE_TUNING: HubTuning = {
  batchSize: 10,
  batchWindowMs: 0,
  reconcile: false,
  rateLimits: false,
};

/** Latency runs: the same batch size, with the batching window cut to 10 ms (said so in the report). */
export const FAST_TUNING: HubTuning = { ...AWS_LIKE_TUNING, batchWindowMs: 10 };

/** The hub's environment and config for a bench run: in-memory store, Slack pointed at the fake Slack. */
export function hubOptions(options: {
  sources: readonly BenchSource[];
  slackUrl: string;
  tuning: HubTuning;
  meter?: boolean;
  /** A data directory for a file-backed store; in memory without one. */
  dataDir?: string;
  extraEnv?: Record<string, string>;
}): HubProcessOptions {
  const config: Record<string, Record<string, unknown>> = {};
  for (const source of options.sources) {
    for (const [section, value] of Object.entries(source.config)) {
      config[section] = { ...(config[section] ?? {}), ...(value as Record<string, unknown>) };
    }
  }
  const env: Record<string, string> = {
    PORT: '0',
    AWS_REGION: 'us-east-1',
    TABLE_NAME: 'leadhub-bench',
    LEADHUB_PEPPER: BENCH_PEPPER,
    LEADHUB_ADMIN_TOKEN: 'bench-admin-token',
    SLACK_WEBHOOK_URL: options.slackUrl,
    ...(options.dataDir
      ? { LEADHUB_DB: 'file', LEADHUB_DATA_DIR: options.dataDir }
      : { LEADHUB_DB: 'memory', LEADHUB_DATA_DIR: '.leadhub-bench' }),
    ...Object.assign({}, ...options.sources.map((s) => s.env)),
    ...options.extraEnv,
  };
  return { env, config, tuning: options.tuning, meter: options.meter ?? false };
}
