import autocannon, { type AutocannonRequest } from 'autocannon';
import type { HubProcess } from '../hub/client.js';
import type { BenchSource } from '../sources/types.js';
import { type LatencySummary, round, summarise } from '../stats.js';

const WARMUP_SECONDS = 3;
const WARMUP_RATE = 100;

export interface IngestResult {
  source: string;
  mode: 'fixed-rate' | 'saturation';
  /** autocannon's overallRate (fixed-rate runs). */
  offeredPerSecond?: number;
  connections: number;
  durationSeconds: number;
  requests: number;
  accepted: number;
  /** Responses other than the source's accepted status. */
  rejected: number;
  errors: number;
  timeouts: number;
  /** Accepted requests per second over the run. */
  acceptedPerSecond: number;
  latency?: LatencySummary;
}

/**
 * Ingest load with autocannon: every request is a new lead, signed like the platform signs it. A fixed
 * rate uses autocannon's overallRate (it spreads the rate over the connections, each sending its share
 * at the start of every second); saturation runs closed-loop on `connections` connections.
 */
export async function runIngest(options: {
  hub: HubProcess;
  source: BenchSource;
  run: string;
  mode: IngestResult['mode'];
  perSecond?: number;
  connections: number;
  durationSeconds: number;
  /** Longest wait for the warm-up's leads to clear the pipeline before measuring. */
  drainTimeoutMs: number;
  warmupSeconds?: number;
}): Promise<IngestResult> {
  const { hub, source, run, mode, connections, durationSeconds } = options;
  let seq = 0;
  const requestsOf = (): AutocannonRequest[] => [
    {
      setupRequest: (request) => {
        const next = source.request(seq++, run);
        return {
          ...request,
          method: next.method,
          path: next.path,
          headers: { ...(request.headers ?? {}), ...next.headers },
          body: next.body,
        };
      },
    },
  ];

  // Warm-up, not measured: module loading, JIT and connection pools settle first; its backlog drains.
  if ((options.warmupSeconds ?? WARMUP_SECONDS) > 0) {
    await autocannon({
      url: hub.url,
      connections: 4,
      duration: options.warmupSeconds ?? WARMUP_SECONDS,
      overallRate: WARMUP_RATE,
      timeout: 30,
      requests: requestsOf(),
    });
    await hub.drain(options.drainTimeoutMs);
  }

  const latencies: number[] = [];
  let accepted = 0;
  let requests = 0;
  const instance = autocannon({
    url: hub.url,
    connections,
    duration: durationSeconds,
    ...(mode === 'fixed-rate' && options.perSecond ? { overallRate: options.perSecond } : {}),
    timeout: 30,
    requests: requestsOf(),
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    requests += 1;
    latencies.push(responseTime);
    if (statusCode === source.acceptedStatus) accepted += 1;
  });
  const result = await instance;
  const latency = summarise(latencies);
  return {
    source: source.name,
    mode,
    ...(mode === 'fixed-rate' ? { offeredPerSecond: options.perSecond } : {}),
    connections,
    durationSeconds: round(result.duration),
    requests,
    accepted,
    rejected: requests - accepted,
    errors: result.errors,
    timeouts: result.timeouts,
    acceptedPerSecond: round(accepted / result.duration),
    ...(latency ? { latency } : {}),
  };
}
