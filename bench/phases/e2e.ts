import type { FakeSlack } from '../fake-slack.js';
import type { HubProcess } from '../hub/client.js';
import { sendPaced } from '../load/paced.js';
import type { BenchSource } from '../sources/types.js';
import { type LatencySummary, round, summarise } from '../stats.js';

export interface EndToEndResult {
  source: string;
  leads: number;
  offeredPerSecond: number;
  accepted: number;
  rejected: number;
  /** Alerts that reached the fake Slack, and those that did not within the wait. */
  alerted: number;
  missing: number;
  duplicateAlerts: number;
  /** Request sent → Slack webhook request received, ms. */
  endToEnd?: LatencySummary;
  /** Request sent → response (the ingest part alone, at this evenly paced rate), ms. */
  ingest?: LatencySummary;
  /**
   * Alerts per second from the first request to the last alert. Below the offered rate, the pipeline
   * could not keep up: a backlog grew, and latency with it.
   */
  alertsPerSecond: number;
}

/** Sends `leads` leads at `perSecond`, evenly paced, and times each from its request to its Slack alert. */
export async function runEndToEnd(options: {
  hub: HubProcess;
  slack: FakeSlack;
  source: BenchSource;
  run: string;
  leads: number;
  perSecond: number;
  waitMs?: number;
}): Promise<EndToEndResult> {
  const { hub, slack, source, run, leads, perSecond } = options;
  const duplicatesBefore = slack.duplicates();
  const paced = await sendPaced({ baseUrl: hub.url, source, run, count: leads, perSecond });
  const accepted = paced.sends.filter((s) => s.status === source.acceptedStatus);
  await slack.waitFor(
    accepted.map((s) => s.token),
    options.waitMs ?? 60_000,
  );
  const e2e: number[] = [];
  let lastArrival = 0;
  for (const send of accepted) {
    const at = slack.arrivals.get(send.token);
    if (at === undefined) continue;
    e2e.push(at - send.sentAt);
    lastArrival = Math.max(lastArrival, at);
  }
  const firstSend = paced.sends[0]?.sentAt ?? 0;
  const span = (lastArrival - firstSend) / 1000;
  const ingest = paced.sends.flatMap((s) => (s.latencyMs === undefined ? [] : [s.latencyMs]));
  const endToEnd = summarise(e2e);
  const ingestSummary = summarise(ingest);
  return {
    source: source.name,
    leads,
    offeredPerSecond: round(paced.offeredPerSecond),
    accepted: accepted.length,
    rejected: paced.sends.length - accepted.length,
    alerted: e2e.length,
    missing: accepted.length - e2e.length,
    duplicateAlerts: slack.duplicates() - duplicatesBefore,
    alertsPerSecond: span > 0 ? round(e2e.length / span) : 0,
    ...(endToEnd ? { endToEnd } : {}),
    ...(ingestSummary ? { ingest: ingestSummary } : {}),
  };
}
