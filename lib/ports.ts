import type { Enrichment, EventDetail, EventDetailType, ScoreBreakdown } from '../events/contracts.js';
import type { Lead, Source } from './lead/model.js';

/** Ingest's durable record of one delivery, written before any 2xx. */
/**
 * `deleted`: the platform withdrew the lead (LinkedIn DELETED); also a tombstone when it came first.
 * `quarantined`: kept raw because the hub cannot read it (lib/pipeline/quarantine.ts); `resolved`: a
 * quarantined delivery item that a replay has since read (its lead has a receipt of its own).
 */
export type ReceiptStatus =
  | 'received'
  | 'captured'
  | 'suppressed'
  | 'failed'
  | 'deleted'
  | 'quarantined'
  | 'resolved';

/**
 * Why a receipt is quarantined. `delivery`: an item of an authenticated delivery with no usable lead id,
 * kept raw under `q_{sha256 of the item}`; `capture`: a receipt whose capture failed the same way again
 * and again.
 */
export type QuarantineKind = 'delivery' | 'capture';

export interface Receipt {
  source: Source;
  platformLeadId: string;
  receivedAt: string;
  status: ReceiptStatus;
  /** Source-specific raw payload, enough for the capture worker to rebuild the lead. */
  payload: unknown;
  statusReason?: string;
  leadId?: string;
  contactId?: string;
  updatedAt?: string;
  /** When the raw payload was removed (erasure, suppression hit, platform deletion); payload is then null. */
  payloadErasedAt?: string;
  /** When the receipt sweeper last queued it again (it was stranded before capture). */
  sweptAt?: string;
  /**
   * Keyed hash of the content, on receipts whose key the sender chose (web-form ids): a post under the
   * same key is a duplicate only with the same fingerprint (lib/sources/form/dedupe.ts).
   */
  fingerprint?: string;
  /** The key this submission found claimed by other content (it was stored under a key of its own). */
  conflictWith?: string;
  /** Set once the receipt is quarantined; it stays when a replay moves the receipt on. */
  quarantineKind?: QuarantineKind;
  /** Capture attempts in a row that failed with `lastCaptureError` (a replay starts again from 0). */
  captureFailures?: number;
  /** Error name and PII-free message of the last failed capture attempt. */
  lastCaptureError?: string;
}

export type ReceiptKey = Pick<Receipt, 'source' | 'platformLeadId'>;

/** Receipt statuses that can be listed (a sparse index holds only these), e.g. to replay failures. */
export type ListableReceiptStatus = Extract<ReceiptStatus, 'failed' | 'quarantined'>;

export interface ReceiptPage {
  /** Oldest status change first. */
  receipts: Receipt[];
  cursor?: string;
}

/** Receipts pending since a time (ISO) and before another. */
export interface PendingReceiptQuery {
  since: string;
  before: string;
  limit: number;
  cursor?: string;
}

/** Capture queue message body. The receipt holds the payload, so messages stay small. */
export interface CaptureMessage {
  source: Source;
  platformLeadId: string;
}

/** A contact's merged profile. */
export interface ContactProfile {
  contactId: string;
  /** Set when this contact was merged into another: the id still resolves, to that one. */
  mergedInto?: string;
  mergedAt?: string;
  /** Set when the person was erased: the profile then holds ids only. */
  erasedAt?: string;
  createdAt: string;
  updatedAt: string;
  email?: string;
  phone?: string;
  fullName?: string;
  firstName?: string;
  lastName?: string;
  company?: string;
  jobTitle?: string;
  country?: string;
  city?: string;
  postalCode?: string;
  lifecycleStage?: string;
  bestScore?: number;
  leadCount: number;
  lastLeadAt: string;
  sources: Source[];
}

/** Where a consent record came from: a lead's source, or the privacy API (withdrawals). */
export type ConsentSource = Source | 'privacy_api';

/**
 * One append-only consent ledger entry (lib/consent/ledger.ts builds them). A withdrawal is a new record
 * with `granted: false` and method `withdrawal`; nothing is ever edited except that an erasure removes
 * the personal parts (ip, userAgent, pageUrl) and keeps the proof.
 */
export interface ConsentRecord {
  contactId: string;
  /** The lead (submission) that carried the choice; absent for a withdrawal through the privacy API. */
  leadId?: string;
  /** Id of a record that has no lead (withdrawals). */
  recordId?: string;
  purpose: string;
  /** The checkbox's key on the form or platform (`withdrawal` for a withdrawal). */
  key: string;
  granted: boolean;
  /** When the choice was made: the submission's time on the platform, or the withdrawal request's. */
  at: string;
  noticeText: string;
  noticeVersion: string;
  /** SHA-256 (hex) of noticeText. */
  noticeHash: string;
  /** web_checkbox, platform_checkbox, implied or withdrawal. */
  method: string;
  source: ConsentSource;
  formId?: string;
  /** The platform page (Meta) the form ran on. */
  pageId?: string;
  /** The web page the form was posted from. */
  pageUrl?: string;
  ip?: string;
  userAgent?: string;
  /** The checkbox could not be left unticked. */
  required?: boolean;
  /** SHA-256 over the canonical raw submission, notice, purpose, choice and time (README: proof hash). */
  proofHash?: string;
  /** The raw submission the proof covers: the receipt's key. */
  submission?: ReceiptKey;
  /** When the hub wrote the record. */
  recordedAt?: string;
  /** The privacy API request a withdrawal answers (idempotency). */
  requestId?: string;
  /** When the personal parts were erased; the proof stays. */
  erasedAt?: string;
}

/** A merge of one contact into an older one (the log item, under the survivor). */
export interface MergeRecord {
  survivorId: string;
  mergedId: string;
  mergedAt: string;
  /** Which kinds of identity key joined the two (email, phone, platform). */
  matchedOn: string[];
  /** Leads moved to the survivor. */
  leadIds?: string[];
  /** Set once ContactsMerged was published. */
  publishedAt?: string;
}

/** What identity resolution needs of a contact: its age (merges go into the older one) and pointers. */
export interface ContactRef {
  contactId: string;
  createdAt?: string;
  mergedInto?: string;
  erasedAt?: string;
}

/** A consent proof as kept on a tombstone: no PII. */
export interface ConsentProof {
  purpose: string;
  granted: boolean;
  at: string;
  method: string;
  source: ConsentSource;
  noticeVersion: string;
  noticeHash: string;
  proofHash?: string;
  leadId?: string;
  recordId?: string;
}

/** What stays of an erased contact: ids, times and consent proofs, no PII. */
export interface ContactTombstone {
  contactId: string;
  erasedAt: string;
  erasureId: string;
  leadIds: string[];
  /** Contacts that had been merged into this one, erased with it. */
  mergedContactIds: string[];
  consentProofs: ConsentProof[];
}

/** One erasure request's progress, so a crashed erasure resumes with the same contacts. */
export interface ErasureRecord {
  erasureId: string;
  /** Peppered hash of the identifier the request named. */
  keyHash: string;
  status: 'started' | 'done';
  requestedAt: string;
  contactIds: string[];
  leadIds: string[];
  completedAt?: string;
  publishedAt?: string;
}

/** A data-subject request the privacy API serves. */
export type PrivacyAction = 'export' | 'withdraw' | 'erase';

/**
 * `started`: written before a withdrawal or erasure, which then ran (or is running, or crashed): the
 * outcome follows once it is done. `failed`: it threw; a retry of the same request completes the record.
 */
export type AuditOutcome = 'started' | 'done' | 'not_found' | 'failed';

/**
 * One privacy action in the audit trail: who did what to whom, when and with what outcome. Ids only,
 * never the email or phone asked for (the peppered key hash stands for it), so it outlives erasure.
 */
export interface AuditRecord {
  auditId: string;
  action: PrivacyAction;
  /** Who asked: the caller's IAM ARN on AWS, `admin-token` for the local bearer token (never the token). */
  by: string;
  at: string;
  /** API Gateway's request id: the same request's access log line. */
  requestId: string;
  /** The kind of identifier asked for, and its peppered hash (the identity key, as suppression keeps it). */
  keyKind: 'email' | 'phone';
  keyHash: string;
  /** Whom: the person's contact id first, then the ids merged into it; none when nobody matched. */
  contactIds: string[];
  outcome: AuditOutcome;
  completedAt?: string;
  /** Withdrawals: the purposes withdrawn, and the request id that makes a retry write nothing new. */
  purposes?: string[];
  withdrawalRequestId?: string;
  erasureId?: string;
  /** How many of the person's leads the action read or erased. */
  leadCount?: number;
  /** When DynamoDB's TTL removes the record (`privacy.auditRetentionYears` after `at`). */
  retainUntil: string;
}

/** What an action's outcome adds to its audit record. */
export type AuditCompletion = Pick<AuditRecord, 'outcome' | 'completedAt' | 'contactIds'> &
  Partial<Pick<AuditRecord, 'purposes' | 'erasureId' | 'leadCount'>>;

/** A page of the audit trail, newest first; `from` is inclusive, `to` exclusive (ISO times). */
export interface AuditQuery {
  contactId?: string;
  from: string;
  to: string;
  limit: number;
  cursor?: string;
}

export interface AuditPage {
  records: AuditRecord[];
  cursor?: string;
}

/** What eraseContact removed. */
export interface ContactErasure {
  contactId: string;
  leadIds: string[];
  identityHashes: string[];
  consentProofs: ConsentProof[];
  items: number;
}

export interface LeadScore {
  score: number;
  grade: string;
  stage: string;
  breakdown: ScoreBreakdown;
  enrichment: Enrichment;
  scoredAt: string;
}

/** A stored lead: the canonical lead plus what the pipeline added. */
export interface StoredLead extends Lead {
  contactId: string;
  capturedAt: string;
  scoring?: LeadScore;
  /**
   * Set when the lead's personal data was removed: deleted on the platform (LinkedIn DELETED) or the
   * person erased. What is left are ids, campaign attribution and timings.
   */
  deletedAt?: string;
  deletedReason?: LeadDeletionReason;
}

export type LeadDeletionReason = 'deleted_on_platform' | 'erased';

export interface LeadPage {
  leads: StoredLead[];
  cursor?: string;
}

export interface ContactView {
  profile: ContactProfile;
  leads: StoredLead[];
  consents: ConsentRecord[];
  /** Contacts merged into this one. */
  merges: MergeRecord[];
}

export type AlertClaim = { claimed: true } | { claimed: false; status: string };

/**
 * Persistence of the raw receipts of platform deliveries: one per source and platform lead id, from the
 * webhook's write through capture, quarantine, sweeps and replays, to its retention or erasure.
 */
export interface ReceiptStore {
  /**
   * Conditional create: 'duplicate' when a receipt for the same key already exists. `retainDays` sets its
   * retention (default: the store's, until capture applies the configured one).
   */
  putReceipt(receipt: Receipt, options?: { retainDays?: number }): Promise<'created' | 'duplicate'>;
  getReceipt(key: ReceiptKey): Promise<Receipt | undefined>;
  /**
   * Receipts of one source in a listable status, by a query (never a Scan); `cursor` continues a page.
   * Failed receipts come oldest failure first, quarantined ones soonest expiry first.
   */
  listReceipts(
    source: Source,
    status: ListableReceiptStatus,
    limit: number,
    cursor?: string,
  ): Promise<ReceiptPage>;
  /** How many receipts of one source are in a listable status (a count query of the same index). */
  countReceipts(source: Source, status: ListableReceiptStatus): Promise<number>;
  /**
   * Notes one more failed capture attempt on a `received` receipt: the count goes up when `error` is the
   * same as the last one, else starts again at 1. Resolves to the count, or undefined (nothing written)
   * when the receipt is no longer `received`.
   */
  recordCaptureFailure(key: ReceiptKey, error: string): Promise<number | undefined>;
  /**
   * Receipts still `received` (written, not yet captured) that became pending in [since, before), oldest
   * first: a query per day bucket of a sparse index, never a Scan. The receipt sweeper
   * (lib/pipeline/sweep.ts) reads these; `cursor` continues a page.
   */
  listPendingReceipts(query: PendingReceiptQuery): Promise<ReceiptPage>;
  /**
   * Notes that the sweeper queued a pending receipt again at `at`: it counts as pending from then, so
   * the next sweeps leave it alone until it is overdue again. False (nothing changed) when the receipt
   * is no longer `received`.
   */
  markReceiptSwept(key: ReceiptKey, at: string): Promise<boolean>;
  /**
   * Sets the status; a statusReason describes the new status only (an update without one clears it).
   * `erasePayload` removes the raw payload; `retainDays` moves the receipt's expiry (retention). Back to
   * `received` (a replay), the capture failure count starts again.
   */
  updateReceipt(key: ReceiptKey, update: ReceiptUpdate): Promise<boolean>;
}

/**
 * Persistence of identities, contacts, leads, consent and alert records. It still answers the receipt
 * methods too, for the callers that have not moved to ReceiptStore yet.
 */
export interface LeadStore {
  /** True when any of the identity key hashes is suppressed (erased or opted out). */
  isSuppressed(keyHashes: readonly string[]): Promise<boolean>;
  /** Contact id owning an identity key hash, if any. */
  getIdentity(keyHash: string): Promise<string | undefined>;
  /** The holders of several identity key hashes at once (one read); hashes nobody holds are absent. */
  getIdentities(keyHashes: readonly string[]): Promise<Map<string, string>>;
  /** Claims an identity key for a contact; when someone else holds it, returns the holder. */
  claimIdentity(keyHash: string, contactId: string): Promise<{ contactId: string; claimed: boolean }>;

  /** Creates or merges the contact's profile with one more lead (idempotent per lead id). */
  upsertContact(profile: ContactProfile, leadId: string): Promise<void>;
  /** Conditional create; 'exists' when the lead item is already there (a re-run, or a deleted lead). */
  putLead(lead: StoredLead): Promise<'created' | 'exists'>;
  putConsent(record: ConsentRecord): Promise<void>;

  /**
   * Creates the contact's profile item with its birth time, if it has none (a merge orders by it), and
   * returns the contact as it stands after the write.
   */
  ensureContact(contactId: string, createdAt: string): Promise<ContactRef>;
  getContactRef(contactId: string): Promise<ContactRef | undefined>;
  /** Points `mergedId` at `survivorId`; false when it already points elsewhere (or was erased). */
  markContactMerged(mergedId: string, survivorId: string, at: string): Promise<boolean>;
  /**
   * Moves every lead and consent record of `fromId` under `toId` (copy, then delete the original), adds
   * the leads to the survivor's profile, re-points identity keys and strips the loser's profile down to
   * its pointer. Idempotent and resumable.
   */
  moveContactData(fromId: string, toId: string): Promise<{ leadIds: string[] }>;
  /** Conditional create of the merge log item; returns the stored one either way. */
  putMergeRecord(record: MergeRecord): Promise<MergeRecord>;
  markMergePublished(survivorId: string, mergedId: string, at: string): Promise<void>;
  /** Identity key hashes held by a contact. */
  listContactIdentities(contactId: string): Promise<string[]>;

  /** Adds a suppression entry (no PII: the key hash, when and why). */
  suppress(keyHash: string, entry: { at: string; reason: 'erased' }): Promise<void>;
  getErasure(keyHash: string): Promise<ErasureRecord | undefined>;
  putErasure(record: ErasureRecord): Promise<void>;
  /**
   * Removes the contact's PII from every item: profile, leads (answers included), consent records (proof
   * kept), receipts (payload), alert records; deletes its identity keys and writes its tombstone.
   * Idempotent: a re-run after a crash finishes the job.
   */
  eraseContact(
    contactId: string,
    erasure: { erasureId: string; at: string; mergedContactIds?: string[] },
  ): Promise<ContactErasure>;
  getTombstone(contactId: string): Promise<ContactTombstone | undefined>;

  /**
   * Conditional create of an audit record (and its index entry under each contact id). `created: false`
   * when the record is there already (a retried request): `record` is then the stored one, unchanged.
   */
  putAudit(record: AuditRecord): Promise<{ created: boolean; record: AuditRecord }>;
  /**
   * Sets the outcome of the stored `record` (as putAudit returned it) when it is `started` or `failed`,
   * indexing any contact ids the completion adds; false (outcome unchanged) when it has another outcome
   * or does not exist. A `failed` outcome only replaces `started`.
   */
  completeAudit(record: AuditRecord, completion: AuditCompletion): Promise<boolean>;
  /** The audit trail newest first, by time or by contact: index queries, never a Scan. */
  listAudit(query: AuditQuery): Promise<AuditPage>;
  /**
   * One lead withdrawn on its platform: its PII, answers and raw receipt go, its consent records lose
   * their personal parts, and the profile is rebuilt from the contact's remaining leads.
   */
  deleteLeadData(lead: LeadKey, at: string): Promise<void>;
  saveScore(
    lead: Pick<StoredLead, 'leadId' | 'contactId' | 'platformCreatedAt'>,
    score: LeadScore,
  ): Promise<void>;

  getLead(leadId: string): Promise<StoredLead | undefined>;
  /**
   * The lead item at its key, for a consumer of a lead event that needs the person: one strongly
   * consistent GetItem, and only when a merge has moved the lead since, a lookup by id. Its `scoring` is
   * not read (it lives in an item of its own). A lead whose data was removed comes back stripped, with
   * `deletedAt`.
   */
  getLeadAt(lead: LeadKey): Promise<StoredLead | undefined>;
  listLeads(limit: number, cursor?: string): Promise<LeadPage>;
  getContact(contactId: string): Promise<ContactView | undefined>;

  /** Claims the right to send the alert for a lead: only the first caller gets `claimed: true`. */
  claimAlert(leadId: string, at: string): Promise<AlertClaim>;
  completeAlert(
    leadId: string,
    update: { status: 'sent' | 'skipped' | 'failed'; at: string; detail?: string },
  ): Promise<void>;

  /** Completes a claimed alert as sent, with where it was posted, the lead's clock and its pending SLA. */
  recordAlertSent(leadId: string, sent: SentAlert): Promise<void>;
  getAlert(leadId: string): Promise<AlertRecord | undefined>;
  /** A rep's Claim or Not a fit: only the first decision on an alert wins (a conditional update). */
  decideAlert(leadId: string, decision: AlertDecisionInput): Promise<AlertDecision>;
  /** Notes that the decision's event was published, so a repeated click does not publish it again. */
  markDecisionPublished(leadId: string, at: string): Promise<void>;
  /**
   * Records SLA escalation `level` with its message and the next level's due time (none: no SLA left
   * pending). One caller wins; false when the lead was decided or the level is already recorded.
   */
  escalateAlert(leadId: string, escalation: AlertEscalation): Promise<boolean>;
  /**
   * Takes the right to post escalation `level` for `leaseMs` (one caller wins; false when decided, already
   * escalated, or someone holds a live lease), so a timer firing twice reposts once.
   */
  claimEscalation(leadId: string, level: number, at: string, leaseMs: number): Promise<boolean>;
  /** Gives the lease back after a failed post, so the retry can claim it at once. */
  releaseEscalation(leadId: string, level: number): Promise<void>;
  /** Drops the lead from the pending-SLA index (decided, or nothing left to escalate). */
  clearPendingSla(leadId: string): Promise<void>;
  /** Alerts whose SLA is not settled yet, soonest first (local timers are rebuilt from these). */
  listPendingSlas(limit?: number): Promise<PendingSla[]>;
  /**
   * Stamps a stage time on the lead's alert record once (none without one): the first write wins, so
   * redeliveries keep the first. The sent record's timings already carry alertedAt.
   */
  recordLeadStage(lead: LeadKey, stage: 'alertedAt' | 'claimedAt', at: string): Promise<void>;
  /** The stage clock of every lead received in [from, to], from the month listing (never a Scan). */
  listLeadTimings(from: string, to: string): Promise<LeadTimingsRow[]>;
}

/** What locates a lead item. */
export type LeadKey = Pick<StoredLead, 'leadId' | 'contactId' | 'platformCreatedAt'>;

export type ReceiptUpdate = Pick<Receipt, 'status'> &
  Partial<Pick<Receipt, 'statusReason' | 'leadId' | 'contactId' | 'quarantineKind'>> & {
    erasePayload?: boolean;
    /**
     * Keep the receipt (and its raw payload) this many days from now, then it is gone. Counted on the
     * store's clock, like the expiry DynamoDB's TTL acts on.
     */
    retainDays?: number;
    /**
     * Leave the receipt as it is when its status is one of these (a deletion that raced the update);
     * the update then resolves to false.
     */
    unlessStatus?: readonly Receipt['status'][];
    /** Change the receipt only while its status is this one; otherwise the update resolves to false. */
    onlyIfStatus?: Receipt['status'];
  };

/** When each stage of a lead happened (ISO times), from the platform's own timestamp on. */
export interface StageTimings {
  platformCreatedAt: string;
  receivedAt: string;
  capturedAt?: string;
  scoredAt?: string;
  alertedAt?: string;
  claimedAt?: string;
}

/** A Slack message posted for an alert: level 0 is the alert, 1 and 2 are SLA escalations. */
export interface AlertMessage extends SlackMessageRef {
  level: number;
}

/** An alert's SLA: the due time of each escalation level (index 0 = level 1) and the levels done. */
export interface AlertSla {
  minutes: number;
  dueAt: string[];
  level: number;
  /** The level being posted right now, and until when (epoch ms) that lease holds. */
  escalating?: number;
  escalatingUntil?: number;
}

/** Ids and grading of the alerted lead (no PII), kept on the alert record. */
export interface AlertLeadInfo {
  contactId: string;
  platformLeadId: string;
  platformCreatedAt: string;
  source: Source;
  isTest: boolean;
  grade: string;
  score: number;
  formId?: string;
}

export interface SentAlert {
  at: string;
  /** Where it went ('main', 'test' or a channel id), for the record. */
  target: string;
  lead: AlertLeadInfo;
  timings: StageTimings;
  message?: AlertMessage;
  sla?: AlertSla;
}

export type AlertOutcome = 'claimed' | 'disqualified';

export interface AlertRecord extends Partial<AlertLeadInfo> {
  leadId: string;
  status: string;
  target?: string;
  messages: AlertMessage[];
  timings?: StageTimings;
  sla?: AlertSla;
  outcome?: AlertOutcome;
  /** Slack user id of the rep who decided. */
  outcomeBy?: string;
  outcomeAt?: string;
  decisionPublishedAt?: string;
}

export interface AlertDecisionInput {
  outcome: AlertOutcome;
  userId: string;
  at: string;
}

/** `alert` is the record after the write (won), or as it stands (lost; undefined when there is none). */
export type AlertDecision = { won: true; alert: AlertRecord } | { won: false; alert?: AlertRecord };

export interface AlertEscalation {
  level: number;
  at: string;
  message?: AlertMessage;
  /** Due time of the next level; absent when this is the last one. */
  nextDueAt?: string;
}

export interface PendingSla {
  leadId: string;
  /** The escalation level due next. */
  level: number;
  dueAt: string;
}

/** One lead's stage clock for the speed-to-lead summary (no PII). */
export interface LeadTimingsRow extends StageTimings {
  leadId: string;
  source: Source;
  isTest: boolean;
}

export interface Queue<T> {
  send(message: T): Promise<void>;
}

export interface BusEvent<T extends EventDetailType = EventDetailType> {
  detailType: T;
  detail: EventDetail<T>;
}

export interface EventBus {
  publish(events: readonly BusEvent[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** Named secrets: Secrets Manager on AWS, environment variables locally. */
export interface Secrets {
  get(name: SecretName): Promise<string | undefined>;
}
export type SecretName =
  | 'LEADHUB_PEPPER'
  | 'LEADHUB_FORM_SECRET'
  | 'LEADHUB_ADMIN_TOKEN'
  | 'SLACK_WEBHOOK_URL'
  | 'SLACK_TEST_WEBHOOK_URL'
  | 'SLACK_BOT_TOKEN'
  | 'SLACK_SIGNING_SECRET'
  | 'META_APP_SECRET'
  | 'META_VERIFY_TOKEN'
  | 'META_PAGE_ACCESS_TOKEN'
  | 'META_PAGE_TOKENS'
  | 'LINKEDIN_CLIENT_SECRET'
  | 'LINKEDIN_ACCESS_TOKEN'
  | 'TIKTOK_WEBHOOK_TOKEN'
  | 'TIKTOK_APP_SECRET'
  | 'GOOGLE_WEBHOOK_KEY';

/** A Slack message (Block Kit). */
export interface SlackMessage {
  text: string;
  blocks: unknown[];
  channel?: string;
}

/** Where a posted Slack message lives (channel id and message ts), so it can be updated in place. */
export interface SlackMessageRef {
  channel: string;
  ts: string;
}

/** Who sees an ephemeral reply: the user who clicked, via the click's response_url or the channel. */
export interface EphemeralTarget {
  userId: string;
  channel?: string;
  responseUrl?: string;
}

/**
 * Posts alerts. A Slack app (bot token) returns where the message landed and can update it and reply
 * ephemerally; an incoming webhook or the console can only post.
 */
export interface Notifier {
  /**
   * False when what it posts ends up in a terminal or a log (the console notifier), where no PII may go:
   * the card then leaves out who the lead is. Default true.
   */
  readonly contactDetails?: boolean;
  // biome-ignore lint/suspicious/noConfusingVoidType: webhook and console notifiers resolve to nothing.
  post(message: SlackMessage): Promise<SlackMessageRef | undefined | void>;
  update?(ref: SlackMessageRef, message: SlackMessage): Promise<void>;
  replyEphemeral?(to: EphemeralTarget, text: string): Promise<void>;
}

/** One-time timers by name: EventBridge Scheduler on AWS, in-process timers locally. */
export interface Scheduler {
  /** Creates the timer `name` (keeping one that already exists), firing once at `at` with `payload`. */
  schedule(name: string, at: Date, payload: ScheduledPayload): Promise<void>;
  /** Deletes the timer; one that already fired or never existed is fine. */
  cancel(name: string): Promise<void>;
}

/** What the SLA escalator receives when a timer fires. */
export interface ScheduledPayload {
  kind: 'sla';
  leadId: string;
  level: number;
}

/** How long one stage of the speed-to-lead clock took, e.g. `alerted` = scored → alerted. */
export interface StageDuration {
  stage: string;
  ms: number;
}

/** Stage durations as metrics (CloudWatch embedded metrics on AWS), per source. */
export interface SpeedMetrics {
  recordStages(lead: { source: Source; isTest: boolean }, stages: readonly StageDuration[]): void;
}

export const systemClock: Clock = { now: () => new Date() };

/** A pagination cursor the API did not issue. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}
