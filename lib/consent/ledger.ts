import { recordIdFor } from '../lead/identity.js';
import type { ConsentProof, ConsentRecord, ReceiptKey, StoredLead } from '../ports.js';
import { consentProofHash, sha256Hex } from './proof.js';

/** The raw submission behind a lead: its receipt's key and payload as stored. */
export interface Submission {
  receipt: ReceiptKey;
  payload: unknown;
}

/**
 * One ledger record per consent choice of a lead, declined ones included: who, when, the exact notice and
 * its hash, what was chosen, how, where, and the proof hash over the raw submission.
 */
export function consentRecordsFor(
  lead: StoredLead,
  submission: Submission,
  recordedAt: string,
): ConsentRecord[] {
  return lead.consents.map((c) => {
    const at = lead.platformCreatedAt;
    return {
      contactId: lead.contactId,
      leadId: lead.leadId,
      purpose: c.purpose,
      key: c.key,
      granted: c.granted,
      at,
      noticeText: c.noticeText,
      noticeVersion: c.noticeVersion,
      noticeHash: sha256Hex(c.noticeText),
      method: c.method,
      source: lead.source,
      ...(lead.attribution.formId ? { formId: lead.attribution.formId } : {}),
      ...(lead.attribution.pageId ? { pageId: lead.attribution.pageId } : {}),
      ...(lead.source === 'form' && lead.attribution.landingUrl
        ? { pageUrl: lead.attribution.landingUrl }
        : {}),
      ...(lead.context.ip ? { ip: lead.context.ip } : {}),
      ...(lead.context.userAgent ? { userAgent: lead.context.userAgent } : {}),
      required: c.required,
      proofHash: consentProofHash({
        submission: submission.payload,
        noticeText: c.noticeText,
        noticeVersion: c.noticeVersion,
        purpose: c.purpose,
        granted: c.granted,
        at,
      }),
      submission: submission.receipt,
      recordedAt,
    };
  });
}

export const WITHDRAWAL_METHOD = 'withdrawal';
export const WITHDRAWAL_NOTICE = 'Consent withdrawn through the privacy API.';

/**
 * A withdrawal: a new record (never an edit) with `granted: false`. Its "raw submission" is the request
 * itself without the identifier (no PII goes into the hash): kind, contact, purpose and request id.
 */
export function withdrawalRecord(input: {
  contactId: string;
  purpose: string;
  at: string;
  requestId: string;
  /** The version of the notice the person had agreed to, if any record exists for the purpose. */
  noticeVersion?: string;
}): ConsentRecord {
  const noticeVersion = input.noticeVersion ?? 'none';
  const submission = {
    kind: 'withdrawal',
    contactId: input.contactId,
    purpose: input.purpose,
    requestId: input.requestId,
  };
  return {
    contactId: input.contactId,
    recordId: recordIdFor('wd', input.contactId, input.purpose, input.requestId),
    purpose: input.purpose,
    key: WITHDRAWAL_METHOD,
    granted: false,
    at: input.at,
    noticeText: WITHDRAWAL_NOTICE,
    noticeVersion,
    noticeHash: sha256Hex(WITHDRAWAL_NOTICE),
    method: WITHDRAWAL_METHOD,
    source: 'privacy_api',
    proofHash: consentProofHash({
      submission,
      noticeText: WITHDRAWAL_NOTICE,
      noticeVersion,
      purpose: input.purpose,
      granted: false,
      at: input.at,
    }),
    recordedAt: input.at,
    requestId: input.requestId,
  };
}

/** Ledger order: by the time of the choice, then by when it was recorded. */
export function ledgerOrder(a: ConsentRecord, b: ConsentRecord): number {
  return a.at.localeCompare(b.at) || (a.recordedAt ?? '').localeCompare(b.recordedAt ?? '');
}

export interface ConsentStateEntry {
  purpose: string;
  granted: boolean;
  since: string;
  method: string;
  source: ConsentRecord['source'];
  noticeVersion: string;
  proofHash?: string;
}

/** The current state per purpose: the latest record wins (a withdrawal after a grant means withdrawn). */
export function consentState(records: readonly ConsentRecord[]): ConsentStateEntry[] {
  const latest = new Map<string, ConsentRecord>();
  for (const record of [...records].sort(ledgerOrder)) latest.set(record.purpose, record);
  return [...latest.values()]
    .map((r) => ({
      purpose: r.purpose,
      granted: r.granted,
      since: r.at,
      method: r.method,
      source: r.source,
      noticeVersion: r.noticeVersion,
      ...(r.proofHash ? { proofHash: r.proofHash } : {}),
    }))
    .sort((a, b) => a.purpose.localeCompare(b.purpose));
}

/** A record without its personal parts, as kept after an erasure. */
export function proofOf(record: ConsentRecord): ConsentProof {
  return {
    purpose: record.purpose,
    granted: record.granted,
    at: record.at,
    method: record.method,
    source: record.source,
    noticeVersion: record.noticeVersion,
    noticeHash: record.noticeHash,
    ...(record.proofHash ? { proofHash: record.proofHash } : {}),
    ...(record.leadId ? { leadId: record.leadId } : {}),
    ...(record.recordId ? { recordId: record.recordId } : {}),
  };
}

/** Fields of a consent record that identify the person; an erasure removes them and keeps the rest. */
export const CONSENT_PERSONAL_FIELDS = ['ip', 'userAgent', 'pageUrl'] as const;

/**
 * Whether a submission from a suppressed person may be captured: only through a form configured to
 * accept fresh consent, and only when it actually grants one (a ticked box, not an implied consent).
 */
export function grantsFreshConsent(consents: StoredLead['consents']): boolean {
  return consents.some((c) => c.granted && c.method !== 'implied');
}
