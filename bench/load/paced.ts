import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchSource } from '../sources/types.js';

export interface PacedSend {
  token: string;
  /** performance.now() just before the request was written. */
  sentAt: number;
  /** Response time of the request (ingest latency), ms; undefined when it failed. */
  latencyMs?: number;
  status?: number;
  error?: string;
}

export interface PacedRun {
  sends: PacedSend[];
  /** Rate actually offered: requests over the time from the first to the last send. */
  offeredPerSecond: number;
  elapsedMs: number;
}

/**
 * Open-loop load: request i is sent at start + i/rate whatever earlier requests are doing, so a slow
 * server cannot slow the arrivals down (the way real webhooks arrive). Each request carries a new lead.
 */
export async function sendPaced(options: {
  baseUrl: string;
  source: BenchSource;
  run: string;
  count: number;
  perSecond: number;
  firstSeq?: number;
  onSent?: (send: PacedSend) => void;
}): Promise<PacedRun> {
  const { baseUrl, source, run, count, perSecond } = options;
  const intervalMs = 1000 / perSecond;
  const sends: PacedSend[] = [];
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const request = source.request((options.firstSeq ?? 0) + i, run);
    const send: PacedSend = { token: request.token, sentAt: performance.now() };
    sends.push(send);
    inFlight.push(
      fetch(`${baseUrl}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      })
        .then(async (res) => {
          await res.arrayBuffer();
          send.latencyMs = performance.now() - send.sentAt;
          send.status = res.status;
        })
        .catch((error: unknown) => {
          send.error = error instanceof Error ? error.name : String(error);
        }),
    );
    options.onSent?.(send);
  }
  const last = sends[sends.length - 1]?.sentAt ?? start;
  await Promise.all(inFlight);
  const elapsedMs = last - start;
  return {
    sends,
    offeredPerSecond: count > 1 && elapsedMs > 0 ? ((count - 1) * 1000) / elapsedMs : perSecond,
    elapsedMs,
  };
}
