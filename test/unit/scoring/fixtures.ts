import type { Logger } from '@aws-lambda-powertools/logger';
import type { LeadCapturedV2, LeadScoredV2 } from '../../../events/contracts.js';
import { parseEnv, parseHubConfig } from '../../../lib/config.js';
import type { HubDeps } from '../../../lib/deps.js';
import type { Attribution, ContactField } from '../../../lib/lead/model.js';
import { type AlertLead, alertLeadFromScored } from '../../../lib/pipeline/alert-message.js';
import { leadCapturedDetail } from '../../../lib/pipeline/capture.js';
import { scoringInputOf } from '../../../lib/pipeline/enrich-score.js';
import type {
  AlertClaim,
  BusEvent,
  EventBus,
  LeadKey,
  LeadScore,
  LeadStore,
  Notifier,
  SlackMessage,
  StageTimings,
  StoredLead,
} from '../../../lib/ports.js';
import type { ScoringInput } from '../../../lib/scoring/score.js';

export type Overrides = Partial<
  Pick<StoredLead, 'leadId' | 'contactId' | 'source' | 'platformLeadId' | 'isTest' | 'answers' | 'truncated'>
> & {
  /** Replaces the default contact wholesale. */
  contact?: Partial<Record<ContactField, string>>;
  attribution?: Partial<Attribution>;
  timings?: Partial<Pick<StageTimings, 'platformCreatedAt' | 'receivedAt' | 'capturedAt'>>;
};

/** A lead as the store holds it after capture: the person, answers and full attribution. */
export function storedLead(overrides: Overrides = {}): StoredLead {
  const { contact, attribution, timings, ...rest } = overrides;
  const source = rest.source ?? 'form';
  return {
    leadId: 'lead-1',
    contactId: 'contact-1',
    source,
    platformLeadId: 'p-1',
    platformCreatedAt: timings?.platformCreatedAt ?? '2026-01-05T10:00:00.000Z',
    receivedAt: timings?.receivedAt ?? '2026-01-05T10:00:01.000Z',
    capturedAt: timings?.capturedAt ?? '2026-01-05T10:00:02.000Z',
    isTest: false,
    answers: [],
    consents: [],
    context: {},
    ...rest,
    attribution: { source, utm: {}, ...attribution },
    ...(contact ?? {
      email: 'jane.smith@acme-widgets.com',
      fullName: 'Jane Smith',
      firstName: 'Jane',
      lastName: 'Smith',
    }),
  };
}

/** The LeadCaptured v2 detail capture publishes for storedLead(overrides): ids, no person. */
export function capturedLead(overrides: Overrides = {}): LeadCapturedV2 {
  return leadCapturedDetail(storedLead(overrides), []);
}

/** A valid LeadScored v2 detail built on capturedLead(). */
export function scoredLead(overrides: Overrides = {}, scored: Partial<LeadScoredV2> = {}): LeadScoredV2 {
  const captured = capturedLead(overrides);
  return {
    ...captured,
    timings: { ...captured.timings, scoredAt: '2026-01-05T10:00:03.000Z' },
    score: 72,
    grade: 'B',
    stage: 'sales_development',
    breakdown: {
      fit: 45,
      intent: 20,
      negative: 0,
      completeness: 7,
      reasons: [
        { category: 'fit', rule: 'corporate-email', points: 15, reason: 'Corporate email domain' },
        { category: 'intent', rule: 'budget', points: 20, reason: 'Stated a qualifying budget' },
        { category: 'fit', rule: 'seniority-executive', points: 25, reason: 'Executive or owner job title' },
        { category: 'completeness', rule: 'has-name', points: 5, reason: 'Full name given' },
      ],
    },
    enrichment: { emailType: 'corporate' },
    ...scored,
  };
}

/** The stored lead with the score of scoredLead(), as the store has it once scored. */
export function scoredStoredLead(overrides: Overrides = {}, scored: Partial<LeadScoredV2> = {}): StoredLead {
  const card = alertLead(overrides, scored);
  return {
    ...storedLead(overrides),
    scoring: {
      score: card.score,
      grade: card.grade,
      stage: card.stage,
      breakdown: card.breakdown,
      enrichment: card.enrichment,
      scoredAt: card.timings.scoredAt ?? card.timings.receivedAt,
    },
  };
}

/** What the Slack card shows: scoredLead()'s grading with storedLead()'s person. */
export function alertLead(overrides: Overrides = {}, scored: Partial<LeadScoredV2> = {}): AlertLead {
  return alertLeadFromScored(scoredLead(overrides, scored), storedLead(overrides));
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attrs: unknown[];
}

/** A Logger stand-in that keeps every call, so tests can check what was (and was not) logged. */
export function fakeLogger(): { logger: Logger; entries: LogEntry[]; text: () => string } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (message: string, ...attrs: unknown[]) => {
      entries.push({ level, message, attrs });
    };
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return {
    logger: logger as unknown as Logger,
    entries,
    text: () =>
      JSON.stringify(entries, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : v)),
  };
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export interface AlertRecord {
  status: string;
  claimedAt: string;
  completedAt?: string;
  detail?: string;
}

/**
 * In-memory LeadStore covering what enrich-score and notify use. claimAlert yields first (like a network
 * round trip) and then checks and sets in one synchronous step, which makes it atomic in JavaScript.
 */
export class FakeStore implements LeadStore {
  readonly scores: {
    lead: Pick<StoredLead, 'leadId' | 'contactId' | 'platformCreatedAt'>;
    score: LeadScore;
  }[] = [];
  readonly alerts = new Map<string, AlertRecord>();
  readonly completions: { leadId: string; status: string; detail?: string }[] = [];
  /** Stored leads by id (the person the lead events leave out). */
  readonly leads = new Map<string, StoredLead>();
  /** The keys getLeadAt was asked for: one read per consumer and lead. */
  readonly leadReads: LeadKey[] = [];
  failSaveScore = false;

  /** Stores a lead, as capture would have, for the consumers to read. */
  addLead(lead: StoredLead): StoredLead {
    this.leads.set(lead.leadId, lead);
    return lead;
  }

  /** Stores scoredStoredLead(overrides, scored) and returns its LeadScored detail, scoredLead(overrides, scored). */
  addScored(overrides: Overrides = {}, scored: Partial<LeadScoredV2> = {}): LeadScoredV2 {
    this.addLead(scoredStoredLead(overrides, scored));
    return scoredLead(overrides, scored);
  }

  getLeadAt = async (key: LeadKey): Promise<StoredLead | undefined> => {
    await tick();
    this.leadReads.push(key);
    const lead = this.leads.get(key.leadId);
    if (!lead) return undefined;
    const { scoring: _scoring, ...withoutScore } = lead;
    return structuredClone(withoutScore);
  };

  async saveScore(lead: Pick<StoredLead, 'leadId' | 'contactId' | 'platformCreatedAt'>, score: LeadScore) {
    await tick();
    if (this.failSaveScore) throw new Error('store unavailable');
    this.scores.push({ lead, score });
  }

  async claimAlert(leadId: string, at: string): Promise<AlertClaim> {
    await tick();
    const current = this.alerts.get(leadId);
    if (!current || current.status === 'failed') {
      this.alerts.set(leadId, { status: 'sending', claimedAt: at });
      return { claimed: true };
    }
    return { claimed: false, status: current.status };
  }

  async completeAlert(
    leadId: string,
    update: { status: 'sent' | 'skipped' | 'failed'; at: string; detail?: string },
  ) {
    await tick();
    const current = this.alerts.get(leadId);
    if (!current) throw new Error(`no alert claim for ${leadId}`);
    this.alerts.set(leadId, {
      ...current,
      status: update.status,
      completedAt: update.at,
      detail: update.detail,
    });
    this.completions.push({ leadId, status: update.status, detail: update.detail });
  }

  putReceipt = unused;
  getReceipt = unused;
  updateReceipt = unused;
  listReceipts = unused;
  countReceipts = unused;
  recordCaptureFailure = unused;
  listPendingReceipts = unused;
  markReceiptSwept = unused;
  isSuppressed = unused;
  getIdentity = unused;
  getIdentities = unused;
  claimIdentity = unused;
  upsertContact = unused;
  putLead = unused;
  putConsent = unused;
  getLead: LeadStore['getLead'] = unused;
  listLeads = unused;
  getContact = unused;
  recordAlertSent: LeadStore['recordAlertSent'] = unused;
  getAlert: LeadStore['getAlert'] = unused;
  decideAlert: LeadStore['decideAlert'] = unused;
  markDecisionPublished: LeadStore['markDecisionPublished'] = unused;
  escalateAlert: LeadStore['escalateAlert'] = unused;
  claimEscalation: LeadStore['claimEscalation'] = unused;
  releaseEscalation: LeadStore['releaseEscalation'] = unused;
  clearPendingSla: LeadStore['clearPendingSla'] = unused;
  listPendingSlas: LeadStore['listPendingSlas'] = unused;
  recordLeadStage: LeadStore['recordLeadStage'] = unused;
  listLeadTimings: LeadStore['listLeadTimings'] = unused;
  ensureContact = unused;
  getContactRef = unused;
  markContactMerged = unused;
  moveContactData = unused;
  putMergeRecord = unused;
  markMergePublished = unused;
  listContactIdentities = unused;
  suppress = unused;
  getErasure = unused;
  putErasure = unused;
  eraseContact = unused;
  getTombstone = unused;
  putAudit = unused;
  completeAudit = unused;
  listAudit = unused;
  deleteLeadData = unused;
}

async function unused(): Promise<never> {
  throw new Error('not used by this test');
}

export class FakeBus implements EventBus {
  readonly published: BusEvent[] = [];
  fail = false;
  async publish(events: readonly BusEvent[]) {
    await tick();
    if (this.fail) throw new Error('bus unavailable');
    this.published.push(...events);
  }
}

/** Records posts; the first `failures` posts throw (with a status, like the webhook notifier). */
export class FakeNotifier implements Notifier {
  readonly posts: SlackMessage[] = [];
  constructor(public failures = 0) {}
  async post(message: SlackMessage) {
    await tick();
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error('Slack webhook responded 503'), { status: 503 });
    }
    this.posts.push(message);
  }
}

export const fixedClock = (iso = '2026-01-05T10:07:30.000Z') => ({ now: () => new Date(iso) });

/** HubDeps with fakes; override any port. */
export function fakeDeps(overrides: Partial<HubDeps> = {}): HubDeps & { store: FakeStore; bus: FakeBus } {
  return {
    env: parseEnv({}),
    config: parseHubConfig({}),
    store: new FakeStore(),
    bus: new FakeBus(),
    captureQueue: { send: unused },
    secrets: { get: async () => undefined },
    clock: fixedClock(),
    logger: fakeLogger().logger,
    ...overrides,
  } as HubDeps & { store: FakeStore; bus: FakeBus };
}

/** What the scoring rules read of storedLead(overrides). */
export function scoringInput(overrides: Overrides = {}): ScoringInput {
  return scoringInputOf(storedLead(overrides));
}
