import type { Enrichment, EventDetail, EventDetailType, ScoreBreakdown } from '../events/contracts.js';
import type { Lead, Source } from './lead/model.js';

/** Ingest's durable record of one delivery, written before any 2xx. */
export type ReceiptStatus = 'received' | 'captured' | 'suppressed' | 'failed';

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
}

export type ReceiptKey = Pick<Receipt, 'source' | 'platformLeadId'>;

/** Capture queue message body. The receipt holds the payload, so messages stay small. */
export interface CaptureMessage {
  source: Source;
  platformLeadId: string;
}

/** A contact's merged profile. */
export interface ContactProfile {
  contactId: string;
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

/** One append-only consent ledger entry. */
export interface ConsentRecord {
  contactId: string;
  leadId: string;
  purpose: string;
  key: string;
  granted: boolean;
  at: string;
  noticeText: string;
  noticeVersion: string;
  noticeHash: string;
  method: string;
  source: Source;
  formId?: string;
  pageId?: string;
  ip?: string;
  userAgent?: string;
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
}

export interface LeadPage {
  leads: StoredLead[];
  cursor?: string;
}

export interface ContactView {
  profile: ContactProfile;
  leads: StoredLead[];
  consents: ConsentRecord[];
}

export type AlertClaim = { claimed: true } | { claimed: false; status: string };

/** Persistence of receipts, identities, contacts, leads, consent and alert records. */
export interface LeadStore {
  /** Conditional create: 'duplicate' when a receipt for the same key already exists. */
  putReceipt(receipt: Receipt): Promise<'created' | 'duplicate'>;
  getReceipt(key: ReceiptKey): Promise<Receipt | undefined>;
  updateReceipt(
    key: ReceiptKey,
    update: Pick<Receipt, 'status'> & Partial<Pick<Receipt, 'statusReason' | 'leadId' | 'contactId'>>,
  ): Promise<void>;

  /** True when any of the identity key hashes is suppressed (erased or opted out). */
  isSuppressed(keyHashes: readonly string[]): Promise<boolean>;
  /** Contact id owning an identity key hash, if any. */
  getIdentity(keyHash: string): Promise<string | undefined>;
  /** Claims an identity key for a contact; when someone else holds it, returns the holder. */
  claimIdentity(keyHash: string, contactId: string): Promise<{ contactId: string; claimed: boolean }>;

  /** Creates or merges the contact's profile with one more lead (idempotent per lead id). */
  upsertContact(profile: ContactProfile, leadId: string): Promise<void>;
  putLead(lead: StoredLead): Promise<void>;
  putConsent(record: ConsentRecord): Promise<void>;
  saveScore(
    lead: Pick<StoredLead, 'leadId' | 'contactId' | 'platformCreatedAt'>,
    score: LeadScore,
  ): Promise<void>;

  getLead(leadId: string): Promise<StoredLead | undefined>;
  listLeads(limit: number, cursor?: string): Promise<LeadPage>;
  getContact(contactId: string): Promise<ContactView | undefined>;

  /** Claims the right to send the alert for a lead: only the first caller gets `claimed: true`. */
  claimAlert(leadId: string, at: string): Promise<AlertClaim>;
  completeAlert(
    leadId: string,
    update: { status: 'sent' | 'skipped' | 'failed'; at: string; detail?: string },
  ): Promise<void>;
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
  | 'SLACK_TEST_WEBHOOK_URL';

/** A Slack message (Block Kit). */
export interface SlackMessage {
  text: string;
  blocks: unknown[];
  channel?: string;
}

export interface Notifier {
  post(message: SlackMessage): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };

/** A pagination cursor the API did not issue. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}
