import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDynamoClients } from '../../lib/adapters/dynamodb/client.js';
import { createDynamoDbLeadStore } from '../../lib/adapters/dynamodb/lead-store.js';
import { createWebhookNotifier } from '../../lib/adapters/slack/webhook-notifier.js';
import type { HubDeps } from '../../lib/deps.js';
import { createCaptureWorker } from '../../lib/handlers/capture-worker.js';
import { createEnrichWorker } from '../../lib/handlers/enrich-worker.js';
import { createFormsHttpHandler } from '../../lib/handlers/http-forms.js';
import { createWebhooksHttpHandler } from '../../lib/handlers/http-webhooks.js';
import { createSlackNotifier } from '../../lib/handlers/slack-notifier.js';
import { startDynalite } from '../../lib/local/dynalite.js';
import type { LocalBusEvent } from '../../lib/local/in-process-bus.js';
import { type HubTuning, type RunningHub, startHub } from '../../lib/local/runtime.js';
import type { BusEvent, CaptureMessage, LeadStore, StoredLead } from '../../lib/ports.js';
import { findTokens } from '../sources/types.js';
import { type DeliveryPolicy, deliver, PLATFORM_LIKE_RETRIES, pool } from './deliver.js';
import {
  FAULT_SERVICES,
  FaultPlan,
  type FaultService,
  faultyBus,
  faultyQueue,
  faultySecrets,
  injectDynamoFaults,
} from './faults.js';
import { KeyedDraws, mulberry32 } from './prng.js';
import { startChaosSlack } from './slack.js';
import { CHAOS_SOURCES, type ChaosLead, type ChaosSourceName, startChaosSources } from './sources.js';

export interface ChaosOptions {
  /** Shown in the report. */
  name: string;
  seed: number;
  /** HTTP deliveries in all, duplicates included. */
  deliveries: number;
  /** Share of deliveries that repeat an earlier lead (a platform redelivery). */
  duplicateRate: number;
  /** Deliveries in flight at once. */
  concurrency: number;
  /** Share of calls to each broken service that fail (0: no faults). */
  faultRate: number;
  /** Which services to break (default all). */
  services?: readonly FaultService[];
  /** Sources to mix, round robin (default all five). */
  sources?: readonly ChaosSourceName[];
  /** Allow hanging platform reads and Slack posts (each costs a client timeout). */
  hangs?: boolean;
  /**
   * How stranded work is recovered once the senders are done: `redrive` moves dead letters back and runs
   * the sweeper until nothing is left; `sweeper` only waits for the hub's own sweep timer.
   */
  recovery: 'redrive' | 'sweeper';
  /** Give up waiting for the hub to settle after this long (then what is missing counts as lost). */
  settleTimeoutMs?: number;
  delivery?: Partial<DeliveryPolicy>;
  /** Receives the hub's log lines (default: dropped; warnings are counted either way). */
  log?: (line: string) => void;
  /** A DynamoDB endpoint to use (a fresh table is made); default: dynalite in a child process. */
  dynamoEndpoint?: string;
  /** How long the hub's notifier waits for Slack (default 5 s); the alert lease is twice this. */
  slackTimeoutMs?: number;
  /** Progress lines (the CLI prints them). */
  progress?: (text: string) => void;
  /**
   * How long a receipt waits before the hub's sweep timer (every second) queues it again (default 30 s).
   * Shorter than a backlog, and the timer mostly re-queues receipts that are merely waiting their turn.
   */
  sweepOlderThanMs?: number;
}

export interface ChaosReport {
  name: string;
  seed: number;
  faultRate: number;
  sources: ChaosSourceName[];
  /** HTTP deliveries posted (each retried until accepted or given up). */
  sent: number;
  duplicatesSent: number;
  /** HTTP requests made, retries included, and their statuses. */
  requests: number;
  statuses: Record<string, number>;
  uniqueLeads: number;
  /** Unique leads with at least one 2xx: the hub owes each a stored, scored lead and one alert. */
  accepted: number;
  /** Unique leads never acknowledged (the sender gave up); not owed, but never doubled either. */
  unacknowledged: number;
  stored: number;
  scored: number;
  alerted: number;
  /** Leads stored or alerted more than once. */
  doubled: number;
  /** Accepted leads missing from the store, unscored, or not alerted (must be 0). */
  lost: number;
  lostDetail: { notStored: string[]; notScored: string[]; notAlerted: string[] };
  doubledDetail: { storedTwice: string[]; alertedTwice: string[] };
  /** Stored leads that match no lead the harness sent (must be 0). */
  strangers: number;
  /** Dead letters over the run (capture, enrich, slack), and how many were left after redrive. */
  deadLettered: { capture: number; enrich: number; slack: number };
  inDlq: number;
  redriven: number;
  /** Receipts queued again by the recovery's explicit sweeps. */
  swept: number;
  /** Receipts queued again by the hub's own sweep timer (the scheduled sweeper). */
  sweptByTimer: number;
  /** Receipts still waiting for capture at the end (must be 0). */
  pendingReceipts: number;
  faults: {
    calls: Record<FaultService, number>;
    injected: Record<FaultService, Record<string, number>>;
    total: number;
  };
  platformCalls: number;
  slackRequests: number;
  hubWarnings: number;
  settled: boolean;
  rounds: number;
  seconds: number;
  ok: boolean;
}

/** Receipts of a run became pending after it started; an hour of margin covers any clock step. */
const PENDING_MARGIN_MS = 3_600_000;

/** Queue and retry timings for a harness hub: as the local runtime's, only faster, so a run stays short. */
export const CHAOS_TUNING: HubTuning = {
  batchSize: 10,
  // Lambda runs many batches at once; the local default of 2 would make the slowest record of a faulty
  // batch hold up everything behind it.
  concurrency: 8,
  batchWindowMs: 10,
  visibilityTimeoutMs: 100,
  maxVisibilityTimeoutMs: 1_000,
  // As deployed (infra/stacks/leadhub-stack.ts): five receives, then the DLQ.
  maxReceiveCount: 5,
  retry: { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 2_000 },
  sweep: { intervalMs: 1_000, olderThanMs: 30_000, lookbackHours: 1 },
  // Every accepted lead must arrive through its delivery, the sweeper or a redrive; a Meta read-back
  // could also recover leads whose deliveries were never accepted, and mask a loss.
  reconcile: false,
  // Every delivery comes from 127.0.0.1 far past the per-route and per-client limits: a 429 would be
  // counted as a refused delivery, not a fault of the pipeline.
  rateLimits: false,
};

/**
 * How long the notifier waits for Slack in a harness hub (the real default is 10 s). Not much less: on a
 * busy 2-core machine a 200 can take a second to be read, and a post that timed out after Slack took it
 * is posted again (incoming webhooks have no idempotency key), which the count would show as a double.
 * A claimed alert whose sender never completed it is claimable again after twice this (the real lease is
 * 60 s): the lease must outlast a sender's longest post, or a second sender posts the same alert.
 */
const SLACK_TIMEOUT_MS = 5_000;

/**
 * One harness run: the whole hub in this process (its real handlers, the in-process queues and bus,
 * dynalite), five sources posting signed deliveries with duplicates, every dependency breaking as the
 * seeded fault plan says, then recovery (dead-letter redrive, the sweeper) and a count of what reached
 * the store and Slack. Localhost only.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = performance.now();
  const plan = new FaultPlan({
    seed: options.seed,
    rate: options.faultRate,
    services: options.services ?? FAULT_SERVICES,
    hangs: options.hangs ?? true,
  });
  const run = `${(options.seed >>> 0).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
    .replace(/[^a-z0-9]/g, '')
    .replace(/x/g, 'y');
  const sourceNames = [...(options.sources ?? CHAOS_SOURCES)];
  const closers: (() => Promise<unknown>)[] = [];
  let hubWarnings = 0;
  let sweptLogged = 0;
  const progress = options.progress ?? (() => undefined);
  const slackTimeoutMs = options.slackTimeoutMs ?? SLACK_TIMEOUT_MS;
  try {
    const slack = await startChaosSlack(plan);
    closers.push(slack.close);
    const sources = await startChaosSources({ run, plan });
    closers.push(sources.close);
    let endpoint = options.dynamoEndpoint;
    if (!endpoint) {
      const dynamo = await startDynalite();
      closers.push(dynamo.close);
      endpoint = dynamo.endpoint;
    }
    const tableName = `leadhub-chaos-${run}`;

    const hub = await startHub({
      env: {
        PORT: '0',
        AWS_REGION: 'us-east-1',
        TABLE_NAME: tableName,
        DYNAMODB_ENDPOINT: endpoint,
        LEADHUB_DB: 'memory',
        LEADHUB_DATA_DIR: '.leadhub-chaos',
        LEADHUB_PEPPER: 'chaos-pepper-not-a-secret',
        LEADHUB_ADMIN_TOKEN: 'chaos-admin-token',
        SLACK_WEBHOOK_URL: slack.url,
        ...sources.env,
      },
      config: sources.config,
      port: 0,
      tuning: {
        ...CHAOS_TUNING,
        sweep: { intervalMs: 1_000, olderThanMs: options.sweepOlderThanMs ?? 30_000, lookbackHours: 1 },
      },
      factories: chaosFactories(plan, { slackTimeoutMs, alertLeaseMs: 2 * slackTimeoutMs }),
      log: (line) => {
        if (/"level":"(WARN|ERROR)"/.test(line)) hubWarnings += 1;
        if (line.includes('"stranded receipts queued again for capture"')) {
          sweptLogged += Number((JSON.parse(line) as { requeued?: number }).requeued ?? 0);
        }
        options.log?.(line);
      },
    });
    closers.unshift(() => hub.stop());

    // ---- the leads and their deliveries (deterministic for a seed) ----------------------------------
    const uniqueCount = Math.max(1, Math.round(options.deliveries * (1 - options.duplicateRate)));
    const leads: ChaosLead[] = [];
    for (let seq = 0; seq < uniqueCount; seq++) {
      leads.push(sources.lead(sourceNames[seq % sourceNames.length] as ChaosSourceName, seq));
    }
    const rng = mulberry32(options.seed ^ 0x5bd1e995);
    const deliveries: { lead: ChaosLead; duplicate: boolean }[] = leads.map((lead) => ({
      lead,
      duplicate: false,
    }));
    for (let i = uniqueCount; i < options.deliveries; i++) {
      deliveries.push({ lead: leads[Math.floor(rng() * leads.length)] as ChaosLead, duplicate: true });
    }
    // Shuffled: a redelivery may even overtake its original (both are then in flight at once).
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [deliveries[i], deliveries[j]] = [
        deliveries[j] as (typeof deliveries)[number],
        deliveries[i] as (typeof deliveries)[number],
      ];
    }

    const policy = { ...PLATFORM_LIKE_RETRIES, ...options.delivery };
    const jitter = new KeyedDraws(options.seed);
    progress(
      `${options.name}: ${deliveries.length} deliveries of ${leads.length} leads, ${options.concurrency} at a time`,
    );
    let done = 0;
    const step = Math.max(100, Math.ceil(deliveries.length / 10));
    const results = await pool(deliveries, options.concurrency, async (d, i) => {
      const result = await deliver(hub.url, d.lead.delivery, policy, jitter.next(`jitter:${i}`));
      done += 1;
      if (done % step === 0 || done === deliveries.length)
        progress(`${options.name}: ${done}/${deliveries.length} delivered`);
      return result;
    });
    const acceptedTokens = new Set<string>();
    const statuses: Record<string, number> = {};
    let requests = 0;
    for (const [i, result] of results.entries()) {
      if (result.accepted) acceptedTokens.add((deliveries[i] as (typeof deliveries)[number]).lead.token);
      requests += result.attempts;
      for (const [status, n] of Object.entries(result.statuses))
        statuses[status] = (statuses[status] ?? 0) + n;
    }

    // ---- recovery: let retries finish, redrive dead letters, sweep stranded receipts -----------------
    const clean = await createDynamoClients({ endpoint, region: 'us-east-1' });
    closers.push(async () => clean.client.destroy());
    const store = createDynamoDbLeadStore({ doc: clean.doc, tableName });
    progress(`${options.name}: waiting for the pipeline, then recovering (${options.recovery})`);
    const recovery = await recover(hub, store, options, slack.delivered, acceptedTokens, progress);

    // ---- the count ---------------------------------------------------------------------------------
    const stored = await storedTokens(store);
    const dead = hub.deadLetters();
    const report = tally({
      options,
      sourceNames,
      leads,
      deliveries,
      acceptedTokens,
      stored,
      delivered: slack.delivered,
    });
    return {
      ...report,
      requests,
      statuses,
      deadLettered: { capture: dead.capture.length, enrich: dead.enrich.length, slack: dead.slack.length },
      inDlq: recovery.inDlq,
      redriven: recovery.redriven,
      swept: recovery.swept,
      // Every sweep logs what it queued; the recovery's own sweeps are counted apart.
      sweptByTimer: sweptLogged - recovery.swept,
      pendingReceipts: recovery.pending,
      faults: {
        calls: { ...plan.calls },
        injected: structuredClone(plan.injected),
        total: plan.totalInjected(),
      },
      platformCalls: sources.platformCalls(),
      slackRequests: slack.requests(),
      hubWarnings,
      settled: recovery.settled,
      rounds: recovery.rounds,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      ok:
        report.lost === 0 &&
        report.doubled === 0 &&
        report.strangers === 0 &&
        recovery.inDlq === 0 &&
        recovery.pending === 0 &&
        recovery.settled &&
        slack.unmatched() === 0,
    };
  } finally {
    for (const close of closers) await close().catch(() => undefined);
  }
}

/** The real handlers and adapters, each seeing its dependencies through the fault plan. */
function chaosFactories(plan: FaultPlan, timing: { slackTimeoutMs: number; alertLeaseMs: number }) {
  const ingestDeps = (deps: HubDeps): HubDeps => ({
    ...deps,
    secrets: faultySecrets(deps.secrets, plan),
    captureQueue: faultyQueue<CaptureMessage>(
      deps.captureQueue,
      plan,
      (m) => `${m.source}:${m.platformLeadId}`,
    ),
  });
  const workerDeps = (deps: HubDeps): HubDeps => ({
    ...deps,
    secrets: faultySecrets(deps.secrets, plan),
    bus: faultyBus(deps.bus, plan),
  });
  return {
    leadStore: (options: { doc: Parameters<typeof injectDynamoFaults>[0]; tableName: string }) => {
      injectDynamoFaults(options.doc, plan);
      return createDynamoDbLeadStore({ ...options, alertLeaseMs: timing.alertLeaseMs });
    },
    webhookNotifier: (url: string) => createWebhookNotifier(url, fetch, { timeoutMs: timing.slackTimeoutMs }),
    formsHttp: (deps: HubDeps) => createFormsHttpHandler(ingestDeps(deps)),
    webhooksHttp: (deps: HubDeps) => createWebhooksHttpHandler(ingestDeps(deps)),
    captureWorker: (deps: HubDeps) => createCaptureWorker(workerDeps(deps)),
    enrichWorker: (deps: HubDeps) => createEnrichWorker(workerDeps(deps)),
    slackNotifier: (deps: HubDeps) => createSlackNotifier(workerDeps(deps)),
  };
}

interface Recovery {
  settled: boolean;
  rounds: number;
  redriven: number;
  swept: number;
  inDlq: number;
  pending: number;
}

/**
 * Waits for the hub to settle, then recovers what the faults stranded, as an operator (and the sweeper)
 * would: dead letters go back to their queue or rule (SQS redrive, EventBridge DLQ redrive) and pending
 * receipts are swept, round after round, until a round finds nothing. Faults stay on throughout.
 */
async function recover(
  hub: RunningHub,
  store: LeadStore,
  options: ChaosOptions,
  delivered: Map<string, number>,
  accepted: Set<string>,
  progress: (text: string) => void,
): Promise<Recovery> {
  // On this kind of machine the pipeline takes 30-60 ms of CPU per lead; leave room for several times that.
  const deadline = performance.now() + (options.settleTimeoutMs ?? Math.max(120_000, 150 * accepted.size));
  const settle = async () => {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      hub.drain().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), left);
      }),
    ]);
    clearTimeout(timer);
    return drained;
  };
  const seen = { capture: 0, enrich: 0, slack: 0 };
  const result: Recovery = { settled: false, rounds: 0, redriven: 0, swept: 0, inDlq: 0, pending: 0 };
  const since = new Date(Date.now() - PENDING_MARGIN_MS).toISOString();
  const pendingCount = async () =>
    (
      await store.listPendingReceipts({
        since,
        before: new Date(Date.now() + 60_000).toISOString(),
        limit: 10_000,
      })
    ).receipts.length;

  if (options.recovery === 'sweeper') {
    // Only the hub's own timer: wait until nothing is pending and every accepted lead was alerted.
    for (;;) {
      result.rounds += 1;
      if (!(await settle())) return { ...result, pending: await pendingCount() };
      const pending = await pendingCount();
      const alertedAll = [...accepted].every((t) => (delivered.get(t) ?? 0) > 0);
      if (pending === 0 && alertedAll) break;
      if (performance.now() > deadline) return { ...result, pending };
      await sleep(250);
    }
    const dead = hub.deadLetters();
    return {
      ...result,
      settled: true,
      inDlq: dead.capture.length + dead.enrich.length + dead.slack.length,
      pending: 0,
    };
  }

  for (let round = 1; round <= 50; round++) {
    result.rounds = round;
    if (!(await settle())) return { ...result, inDlq: -1, pending: await pendingCount() };
    const dead = hub.deadLetters();
    let moved = 0;
    for (const letter of dead.capture.slice(seen.capture)) {
      await hub.deps.captureQueue.send(JSON.parse(letter.body) as CaptureMessage);
      moved += 1;
    }
    for (const letter of dead.enrich.slice(seen.enrich)) {
      await hub.deps.bus.publish([busEventOf(JSON.parse(letter.body) as LocalBusEvent)]);
      moved += 1;
    }
    for (const letter of dead.slack.slice(seen.slack)) {
      await hub.deps.bus.publish([busEventOf(letter.event)]);
      moved += 1;
    }
    seen.capture = dead.capture.length;
    seen.enrich = dead.enrich.length;
    seen.slack = dead.slack.length;
    result.redriven += moved;
    // After a drain nothing is in flight, so every receipt still pending is stranded.
    let swept: number;
    try {
      swept = (await hub.sweep({ olderThanMs: 0, lookbackHours: 24 })).requeued.length;
    } catch {
      // The sweep's own query met a fault (past the SDK's retries): like a failed scheduled sweep, the
      // next round sweeps again.
      swept = 0;
      moved += 1;
    }
    result.swept += swept;
    if (moved > 0 || swept > 0)
      progress(`${options.name}: round ${round}: ${moved} dead letters redriven, ${swept} receipts swept`);
    if (moved === 0 && swept === 0) {
      result.settled = true;
      break;
    }
  }
  const dead = hub.deadLetters();
  result.inDlq =
    dead.capture.length -
    seen.capture +
    (dead.enrich.length - seen.enrich) +
    (dead.slack.length - seen.slack);
  result.pending = await pendingCount();
  return result;
}

/** A dead-lettered event as a new PutEvents entry (EventBridge's DLQ redrive sends the event again). */
function busEventOf(event: LocalBusEvent): BusEvent {
  return { detailType: event['detail-type'], detail: event.detail } as BusEvent;
}

/** Every stored lead's tokens (its name and email carry one), through a store the faults do not reach. */
async function storedTokens(store: LeadStore): Promise<{ token: string; lead: StoredLead }[]> {
  const found: { token: string; lead: StoredLead }[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listLeads(200, cursor);
    for (const lead of page.leads) {
      const tokens = new Set(findTokens(JSON.stringify(lead)));
      if (tokens.size === 0) found.push({ token: '', lead });
      for (const token of tokens) found.push({ token, lead });
    }
    cursor = page.cursor;
  } while (cursor);
  return found;
}

function tally(input: {
  options: ChaosOptions;
  sourceNames: ChaosSourceName[];
  leads: readonly ChaosLead[];
  deliveries: readonly { lead: ChaosLead; duplicate: boolean }[];
  acceptedTokens: Set<string>;
  stored: readonly { token: string; lead: StoredLead }[];
  delivered: Map<string, number>;
}) {
  const { options, leads, acceptedTokens, stored, delivered } = input;
  const known = new Set(leads.map((l) => l.token));
  const storedCount = new Map<string, number>();
  const scoredSet = new Set<string>();
  let strangers = 0;
  for (const { token, lead } of stored) {
    if (!known.has(token)) {
      strangers += 1;
      continue;
    }
    storedCount.set(token, (storedCount.get(token) ?? 0) + 1);
    if (lead.scoring) scoredSet.add(token);
  }
  const notStored: string[] = [];
  const notScored: string[] = [];
  const notAlerted: string[] = [];
  for (const token of acceptedTokens) {
    if (!storedCount.has(token)) notStored.push(token);
    else if (!scoredSet.has(token)) notScored.push(token);
    if ((delivered.get(token) ?? 0) === 0) notAlerted.push(token);
  }
  const storedTwice = [...storedCount].filter(([, n]) => n > 1).map(([t]) => t);
  const alertedTwice = [...delivered].filter(([t, n]) => n > 1 && known.has(t)).map(([t]) => t);
  const lostSet = new Set([...notStored, ...notScored, ...notAlerted]);
  const doubledSet = new Set([...storedTwice, ...alertedTwice]);
  return {
    name: options.name,
    seed: options.seed,
    faultRate: options.faultRate,
    sources: input.sourceNames,
    sent: input.deliveries.length,
    duplicatesSent: input.deliveries.filter((d) => d.duplicate).length,
    uniqueLeads: leads.length,
    accepted: acceptedTokens.size,
    unacknowledged: leads.length - acceptedTokens.size,
    stored: storedCount.size,
    scored: scoredSet.size,
    alerted: [...delivered.keys()].filter((t) => known.has(t)).length,
    doubled: doubledSet.size,
    lost: lostSet.size,
    lostDetail: { notStored, notScored, notAlerted },
    doubledDetail: { storedTwice, alertedTwice },
    strangers,
  };
}
