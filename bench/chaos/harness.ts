import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDynamoClients } from '../../lib/adapters/dynamodb/client.js';
import { createDynamoDbLeadStore } from '../../lib/adapters/dynamodb/lead-store.js';
import { createDynamoDbReceiptStore } from '../../lib/adapters/dynamodb/receipt-store.js';
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
import type {
  BusEvent,
  CaptureMessage,
  LeadStore,
  ListableReceiptStatus,
  ReceiptStore,
  StoredLead,
} from '../../lib/ports.js';
import { findTokens } from '../sources/types.js';
import { type DeliveryPolicy, type DeliveryResult, deliver, PLATFORM_LIKE_RETRIES, pool } from './deliver.js';
import {
  FAULT_SERVICES,
  FaultPlan,
  type FaultService,
  faultyBus,
  faultyQueue,
  faultySecrets,
  injectDynamoFaults,
} from './faults.js';
import { type HostileCase, hostileGroups } from './hostile.js';
import { KeyedDraws, mulberry32 } from './prng.js';
import { startChaosSlack } from './slack.js';
import { CHAOS_SOURCES, type ChaosLead, type ChaosSourceName, startChaosSources } from './sources.js';

export interface ChaosOptions {
  /** Shown in the report. */
  name: string;
  seed: number;
  /** Ordinary HTTP deliveries, duplicates included (the hostile cases come on top). */
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
  /** Rounds of every hostile case (bench/chaos/hostile.ts) mixed into the deliveries (default none). */
  hostileRounds?: number;
  /**
   * Redrive rounds before recovery gives up (default 50). A delivery that fails the same way every time
   * (a poison lead) would otherwise be redriven until the cap; what is still dead-lettered or pending
   * after the last round is counted as stuck.
   */
  maxRecoveryRounds?: number;
}

/** One hostile case's leads: what was sent, answered and delivered. */
export interface HostileCaseTally {
  case: HostileCase;
  leads: number;
  sent: number;
  statuses: Record<string, number>;
  accepted: number;
  /** Refused with a 4xx (nothing may be stored for these). */
  refused: number;
  stored: number;
  alerted: number;
  lost: number;
  doubled: number;
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
  /** Unique leads never acknowledged (the sender gave up on 5xx or no answer); not owed, never doubled. */
  unacknowledged: number;
  /** Unique leads refused with a 4xx: nothing may be stored for them. */
  refused: number;
  /** Refused leads that were stored anyway (must be 0). */
  refusedButStored: string[];
  stored: number;
  scored: number;
  alerted: number;
  /** Leads stored or alerted more than once. */
  doubled: number;
  /**
   * Accepted leads missing from the store, unscored, or not alerted, and real leads refused with a 4xx
   * (every lead but the hostile ones the hub may refuse) (must be 0). Quarantined leads are counted apart.
   */
  lost: number;
  lostDetail: { notStored: string[]; notScored: string[]; notAlerted: string[]; refused: string[] };
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
  /** Receipts the hub gave up on (status `failed`); their leads count as lost. */
  failedReceipts: number;
  /** Accepted leads the hub set aside in quarantine: stuck, not lost (must be 0). */
  quarantined: number;
  /** Pending receipts, dead letters left after recovery and quarantined leads (must be 0). */
  stuck: number;
  /** Per hostile case (the hostile scenario only). */
  hostile?: HostileCaseTally[];
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

/** One delivery of a lead; a duplicate re-posts an earlier delivery's bytes. */
type Step = { lead: ChaosLead; duplicate: boolean };

/** A final 4xx: the hub refused the delivery for good (429 is a "retry later", not a refusal). */
const isRefusal = (status: number | undefined) =>
  status !== undefined && status >= 400 && status < 500 && status !== 429;

/**
 * The receipt status a quarantine would give a lead the hub accepted but will not process as it is.
 * There is none yet; listing it finds nothing until one exists under this name.
 */
const QUARANTINE_STATUS = 'quarantined' as ListableReceiptStatus;

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
 * 60 s): the lease must outlast a sender's longest post (retries of a 429 included: its budget is 1.5 times
 * this, as the real 25 s is within 60 s), or a second sender posts the same alert.
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
    const deliveries: Step[] = leads.map((lead) => ({
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

    // Each group is posted in order, one delivery after the other's final answer; an ordinary delivery is
    // a group of one. Hostile groups go in at seeded places (a separate stream: the ordinary order is the
    // same with or without them).
    const groups: Step[][] = deliveries.map((d) => [d]);
    if (options.hostileRounds) {
      const hostile = hostileGroups(sources, {
        run,
        seed: options.seed,
        firstSeq: leads.length,
        rounds: options.hostileRounds,
      });
      const place = mulberry32(options.seed ^ 0x1b873593);
      for (const group of hostile) {
        groups.splice(Math.floor(place() * (groups.length + 1)), 0, group.steps);
        for (const step of group.steps) if (!step.duplicate) leads.push(step.lead);
      }
    }
    const sent = groups.flat();

    const policy = { ...PLATFORM_LIKE_RETRIES, ...options.delivery };
    const jitter = new KeyedDraws(options.seed);
    progress(
      `${options.name}: ${sent.length} deliveries of ${leads.length} leads, ${options.concurrency} at a time`,
    );
    let done = 0;
    const step = Math.max(100, Math.ceil(sent.length / 10));
    const results = await pool(groups, options.concurrency, async (group, g) => {
      const answered: { step: Step; result: DeliveryResult }[] = [];
      for (const [k, d] of group.entries()) {
        const key = k === 0 ? `jitter:${g}` : `jitter:${g}.${k}`;
        answered.push({ step: d, result: await deliver(hub.url, d.lead.delivery, policy, jitter.next(key)) });
        done += 1;
        if (done % step === 0 || done === sent.length)
          progress(`${options.name}: ${done}/${sent.length} delivered`);
      }
      return answered;
    });
    const answers = results.flat();
    const acceptedTokens = new Set<string>();
    const refusedTokens = new Set<string>();
    const statuses: Record<string, number> = {};
    let requests = 0;
    for (const { step: d, result } of answers) {
      if (result.accepted) acceptedTokens.add(d.lead.token);
      else if (isRefusal(result.status)) refusedTokens.add(d.lead.token);
      requests += result.attempts;
      for (const [status, n] of Object.entries(result.statuses))
        statuses[status] = (statuses[status] ?? 0) + n;
    }
    // One 2xx is enough: the hub took the lead, whatever it answered the other copies.
    for (const token of acceptedTokens) refusedTokens.delete(token);

    // ---- recovery: let retries finish, redrive dead letters, sweep stranded receipts -----------------
    const clean = await createDynamoClients({ endpoint, region: 'us-east-1' });
    closers.push(async () => clean.client.destroy());
    const store = createDynamoDbLeadStore({ doc: clean.doc, tableName });
    progress(`${options.name}: waiting for the pipeline, then recovering (${options.recovery})`);
    const receiptStore = createDynamoDbReceiptStore({ doc: clean.doc, tableName });
    const recovery = await recover(hub, receiptStore, options, slack.delivered, acceptedTokens, progress);

    // ---- the count ---------------------------------------------------------------------------------
    const stored = await storedTokens(store);
    const receipts = await settledReceipts(receiptStore, leads);
    const dead = hub.deadLetters();
    const report = tally({
      options,
      sourceNames,
      leads,
      answers,
      acceptedTokens,
      refusedTokens,
      quarantinedTokens: receipts.quarantined,
      stored,
      delivered: slack.delivered,
    });
    const stuck = recovery.pending + Math.max(0, recovery.inDlq) + report.quarantined;
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
      failedReceipts: receipts.failed,
      stuck,
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
        report.refusedButStored.length === 0 &&
        recovery.inDlq === 0 &&
        stuck === 0 &&
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
    webhookNotifier: (url: string) =>
      createWebhookNotifier(url, fetch, {
        // A 429 is waited out within the budget; the lease (twice the timeout) outlasts the whole post.
        retry: { attemptTimeoutMs: timing.slackTimeoutMs, budgetMs: 1.5 * timing.slackTimeoutMs },
      }),
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
  store: ReceiptStore,
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

  for (let round = 1; round <= (options.maxRecoveryRounds ?? 50); round++) {
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
  // Gave up: let the last redrive finish, so what failed again is counted, not still in flight.
  if (!result.settled && !(await settle())) return { ...result, inDlq: -1, pending: await pendingCount() };
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

/**
 * Failed and quarantined receipts, by the lead tokens they carry (a form's or TikTok's payload holds the
 * lead; a Meta or LinkedIn receipt only the platform id, which the sent lead names).
 */
async function settledReceipts(
  store: ReceiptStore,
  leads: readonly ChaosLead[],
): Promise<{ failed: number; quarantined: Set<string> }> {
  const byId = new Map(
    leads.filter((l) => l.platformLeadId).map((l) => [`${l.source}:${l.platformLeadId}`, l.token]),
  );
  const list = async (status: ListableReceiptStatus) => {
    const tokens = new Set<string>();
    let count = 0;
    for (const source of CHAOS_SOURCES) {
      let cursor: string | undefined;
      do {
        const page = await store.listReceipts(source, status, 200, cursor);
        for (const receipt of page.receipts) {
          count += 1;
          const byPlatformId = byId.get(`${receipt.source}:${receipt.platformLeadId}`);
          if (byPlatformId) tokens.add(byPlatformId);
          for (const token of findTokens(JSON.stringify(receipt.payload ?? null))) tokens.add(token);
        }
        cursor = page.cursor;
      } while (cursor);
    }
    return { count, tokens };
  };
  const failed = await list('failed');
  const quarantined = await list(QUARANTINE_STATUS);
  return { failed: failed.count, quarantined: quarantined.tokens };
}

function tally(input: {
  options: ChaosOptions;
  sourceNames: ChaosSourceName[];
  leads: readonly ChaosLead[];
  answers: readonly { step: Step; result: DeliveryResult }[];
  acceptedTokens: Set<string>;
  refusedTokens: Set<string>;
  quarantinedTokens: Set<string>;
  stored: readonly { token: string; lead: StoredLead }[];
  delivered: Map<string, number>;
}) {
  const { options, leads, acceptedTokens, refusedTokens, quarantinedTokens, stored, delivered } = input;
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
  const quarantined = [...acceptedTokens].filter((t) => quarantinedTokens.has(t) && !storedCount.has(t));
  for (const token of acceptedTokens) {
    if (quarantined.includes(token)) continue;
    if (!storedCount.has(token)) notStored.push(token);
    else if (!scoredSet.has(token)) notScored.push(token);
    if ((delivered.get(token) ?? 0) === 0) notAlerted.push(token);
  }
  const refused = leads
    .filter((l) => (l.hostile?.mustAccept ?? true) && refusedTokens.has(l.token))
    .map((l) => l.token);
  const refusedButStored = [...refusedTokens].filter((t) => storedCount.has(t) || delivered.has(t));
  const storedTwice = [...storedCount].filter(([, n]) => n > 1).map(([t]) => t);
  const alertedTwice = [...delivered].filter(([t, n]) => n > 1 && known.has(t)).map(([t]) => t);
  const lostSet = new Set([...notStored, ...notScored, ...notAlerted, ...refused]);
  const doubledSet = new Set([...storedTwice, ...alertedTwice]);
  return {
    name: options.name,
    seed: options.seed,
    faultRate: options.faultRate,
    sources: input.sourceNames,
    sent: input.answers.length,
    duplicatesSent: input.answers.filter((a) => a.step.duplicate).length,
    uniqueLeads: leads.length,
    accepted: acceptedTokens.size,
    unacknowledged: leads.length - acceptedTokens.size - refusedTokens.size,
    refused: refusedTokens.size,
    refusedButStored,
    stored: storedCount.size,
    scored: scoredSet.size,
    alerted: [...delivered.keys()].filter((t) => known.has(t)).length,
    doubled: doubledSet.size,
    lost: lostSet.size,
    lostDetail: { notStored, notScored, notAlerted, refused },
    doubledDetail: { storedTwice, alertedTwice },
    strangers,
    quarantined: quarantined.length,
    ...(options.hostileRounds
      ? { hostile: hostileTally(input, { storedCount, delivered, lostSet, doubledSet }) }
      : {}),
  };
}

function hostileTally(
  input: {
    leads: readonly ChaosLead[];
    answers: readonly { step: Step; result: DeliveryResult }[];
    acceptedTokens: Set<string>;
    refusedTokens: Set<string>;
  },
  counted: {
    storedCount: Map<string, number>;
    delivered: Map<string, number>;
    lostSet: Set<string>;
    doubledSet: Set<string>;
  },
): HostileCaseTally[] {
  const cases = new Map<HostileCase, HostileCaseTally>();
  const of = (kind: HostileCase) => {
    let entry = cases.get(kind);
    if (!entry) {
      entry = {
        case: kind,
        leads: 0,
        sent: 0,
        statuses: {},
        accepted: 0,
        refused: 0,
        stored: 0,
        alerted: 0,
        lost: 0,
        doubled: 0,
      };
      cases.set(kind, entry);
    }
    return entry;
  };
  for (const lead of input.leads) {
    if (!lead.hostile) continue;
    const entry = of(lead.hostile.case);
    const t = lead.token;
    entry.leads += 1;
    if (input.acceptedTokens.has(t)) entry.accepted += 1;
    if (input.refusedTokens.has(t)) entry.refused += 1;
    if (counted.storedCount.has(t)) entry.stored += 1;
    if (counted.delivered.has(t)) entry.alerted += 1;
    if (counted.lostSet.has(t)) entry.lost += 1;
    if (counted.doubledSet.has(t)) entry.doubled += 1;
  }
  for (const { step, result } of input.answers) {
    if (!step.lead.hostile) continue;
    const entry = of(step.lead.hostile.case);
    entry.sent += 1;
    const label = result.status === undefined ? 'no-answer' : String(result.status);
    entry.statuses[label] = (entry.statuses[label] ?? 0) + 1;
  }
  return [...cases.values()];
}
