import type { LeadCapturedV1, SourceConnectionFailedV1 } from '../../events/contracts.js';
import type { HubDeps } from '../deps.js';
import {
  candidateContactId,
  type IdentityKey,
  identityKeys,
  leadIdFor,
  sha256Hex,
} from '../lead/identity.js';
import { type Lead, pickContactFields } from '../lead/model.js';
import { normaliseLead } from '../lead/normalise.js';
import type { CaptureMessage, ConsentRecord, ContactProfile, LeadStore, StoredLead } from '../ports.js';
import { PermanentSourceError } from '../sources/errors.js';
import { resolverFor } from '../sources/index.js';

export type CaptureOutcome =
  | { status: 'captured'; leadId: string; contactId: string }
  | { status: 'already-done' | 'suppressed' | 'failed' | 'missing' };

/**
 * Capture one receipt: resolve the raw lead, normalise it, check suppression, resolve the person, store
 * lead + profile + consent, and publish LeadCaptured. Every step is idempotent, so a redelivered message
 * or a crash half-way converges on the same result. Throws only for failures worth retrying.
 */
export async function capture(deps: HubDeps, message: CaptureMessage): Promise<CaptureOutcome> {
  const { store, logger } = deps;
  const receipt = await store.getReceipt(message);
  if (!receipt) {
    logger.error('capture message without a receipt', { ...message });
    return { status: 'missing' };
  }
  if (receipt.status !== 'received') return { status: 'already-done' };

  const leadId = leadIdFor(receipt.source, receipt.platformLeadId);
  let lead: Lead;
  try {
    const raw = await resolverFor(receipt.source)(receipt, deps);
    const defaultCountry =
      (raw.attribution.formId && deps.config.forms[raw.attribution.formId]?.phoneCountry) ||
      deps.config.defaults.phoneCountry;
    const normalised = normaliseLead(raw, { leadId, receivedAt: receipt.receivedAt }, { defaultCountry });
    if (!normalised.ok)
      throw new PermanentSourceError(`invalid lead: ${normalised.issues.map((i) => i.field).join(', ')}`);
    lead = normalised.lead;
  } catch (error) {
    if (!(error instanceof PermanentSourceError)) throw error;
    const { connection } = error;
    if (connection) {
      // Published before the receipt is marked failed: if marking fails, the retry publishes again
      // (at-least-once) rather than never.
      const detail: SourceConnectionFailedV1 = {
        version: '1',
        source: message.source,
        platformLeadId: message.platformLeadId,
        ...connection,
        occurredAt: deps.clock.now().toISOString(),
      };
      await deps.bus.publish([{ detailType: 'SourceConnectionFailed', detail }]);
    }
    await store.updateReceipt(message, { status: 'failed', statusReason: error.message });
    logger.warn('receipt failed permanently', {
      ...message,
      reason: error.message,
      ...(connection ? { connectionReason: connection.reason, pageId: connection.pageId } : {}),
    });
    return { status: 'failed' };
  }

  const pepper = await deps.secrets.get('LEADHUB_PEPPER');
  if (!pepper) throw new Error('LEADHUB_PEPPER is not configured');
  const keys = identityKeys(lead, pepper);
  if (await store.isSuppressed(keys.map((k) => k.hash))) {
    await store.updateReceipt(message, { status: 'suppressed', leadId });
    logger.info('lead suppressed', { leadId });
    return { status: 'suppressed' };
  }

  const contactId = await resolveContact(store, keys, candidateContactId(leadId));
  const capturedAt = deps.clock.now().toISOString();
  const stored: StoredLead = { ...lead, contactId, capturedAt };
  await store.putLead(stored);
  await store.upsertContact(profileFrom(stored), leadId);
  const consents = consentRecords(stored);
  for (const record of consents) await store.putConsent(record);

  await deps.bus.publish([{ detailType: 'LeadCaptured', detail: leadCapturedDetail(stored, consents) }]);
  await store.updateReceipt(message, { status: 'captured', leadId, contactId });
  logger.info('lead captured', { leadId, contactId, source: lead.source, isTest: lead.isTest });
  return { status: 'captured', leadId, contactId };
}

/**
 * One person, one contact id, without transactions. An existing key wins (email before phone); otherwise
 * keys are claimed in a fixed order with conditional puts, and a lost race adopts the winner's id.
 */
export async function resolveContact(
  store: LeadStore,
  keys: readonly IdentityKey[],
  candidate: string,
): Promise<string> {
  let contactId: string | undefined;
  for (const key of keys) {
    contactId = await store.getIdentity(key.hash);
    if (contactId) break;
  }
  contactId ??= candidate;
  for (const key of keys) {
    const claim = await store.claimIdentity(key.hash, contactId);
    // Only the first key decides: a later key held by someone else (a shared office phone, say) links
    // nothing; the profile keeps its own id.
    if (!claim.claimed && key === keys[0]) contactId = claim.contactId;
  }
  return contactId;
}

function profileFrom(lead: StoredLead): ContactProfile {
  return {
    contactId: lead.contactId,
    createdAt: lead.capturedAt,
    updatedAt: lead.capturedAt,
    lastLeadAt: lead.platformCreatedAt,
    leadCount: 1,
    sources: [lead.source],
    ...pickContactFields(lead),
  };
}

function consentRecords(lead: StoredLead): ConsentRecord[] {
  return lead.consents.map((c) => ({
    contactId: lead.contactId,
    leadId: lead.leadId,
    purpose: c.purpose,
    key: c.key,
    granted: c.granted,
    at: lead.platformCreatedAt,
    noticeText: c.noticeText,
    noticeVersion: c.noticeVersion,
    noticeHash: sha256Hex(c.noticeText),
    method: c.method,
    source: lead.source,
    ...(lead.attribution.formId ? { formId: lead.attribution.formId } : {}),
    ...(lead.attribution.pageId ? { pageId: lead.attribution.pageId } : {}),
    ...(lead.context.ip ? { ip: lead.context.ip } : {}),
    ...(lead.context.userAgent ? { userAgent: lead.context.userAgent } : {}),
  }));
}

export function leadCapturedDetail(lead: StoredLead, consents: readonly ConsentRecord[]): LeadCapturedV1 {
  return {
    version: '1',
    leadId: lead.leadId,
    contactId: lead.contactId,
    source: lead.source,
    platformLeadId: lead.platformLeadId,
    isTest: lead.isTest,
    attribution: lead.attribution,
    contact: pickContactFields(lead),
    answers: lead.answers,
    consents: consents.map((c) => ({
      purpose: c.purpose,
      granted: c.granted,
      noticeVersion: c.noticeVersion,
      noticeHash: c.noticeHash,
      method: c.method,
    })),
    timings: {
      platformCreatedAt: lead.platformCreatedAt,
      receivedAt: lead.receivedAt,
      capturedAt: lead.capturedAt,
    },
  };
}
