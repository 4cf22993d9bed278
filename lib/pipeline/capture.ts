import type { LeadCapturedV2, SourceConnectionFailedV1 } from '../../events/contracts.js';
import { consentRecordsFor, grantsFreshConsent } from '../consent/ledger.js';
import type { HubDeps } from '../deps.js';
import { candidateContactId, identityKeys, leadIdFor, recordIdFor } from '../lead/identity.js';
import { campaignAttribution, type Lead, pickContactFields } from '../lead/model.js';
import { normaliseLead } from '../lead/normalise.js';
import type { CaptureMessage, ConsentRecord, ContactProfile, LeadStore, StoredLead } from '../ports.js';
import { PermanentSourceError } from '../sources/errors.js';
import { resolverFor } from '../sources/index.js';
import { resolveContact, settleContact } from './identity-resolution.js';
import { captureFailed } from './quarantine.js';

export type CaptureOutcome =
  | { status: 'captured'; leadId: string; contactId: string }
  | { status: 'already-done' | 'suppressed' | 'failed' | 'missing' | 'deleted' | 'quarantined' };

/**
 * Capture one receipt: resolve the raw lead, normalise it, check suppression, resolve the person (merging
 * contacts the submission proves to be one), store lead + profile + consent ledger records, and publish
 * LeadCaptured. Every step is idempotent, so a redelivered message or a crash half-way converges on the
 * same result. Throws only for failures worth retrying; every failure is logged, and one that repeats
 * identically quarantines the receipt (lib/pipeline/quarantine.ts) instead of looping.
 */
export async function capture(deps: HubDeps, message: CaptureMessage): Promise<CaptureOutcome> {
  try {
    return await captureReceipt(deps, message);
  } catch (error) {
    return { status: await captureFailed(deps, message, error) };
  }
}

async function captureReceipt(deps: HubDeps, message: CaptureMessage): Promise<CaptureOutcome> {
  const { store, receipts, logger } = deps;
  const receipt = await receipts.getReceipt(message);
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
    if (normalised.cuts.length > 0) {
      // Kept, cut to the limits: the receipt holds the submission as it came. Limits only, never values.
      logger.warn('lead cut to the limits', {
        ...message,
        limits: [...new Set(normalised.cuts.map((c) => c.message))],
      });
    }
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
    await receipts.updateReceipt(message, { status: 'failed', statusReason: error.message });
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
  const hashes = keys.map((k) => k.hash);
  const freshConsent = acceptsFreshConsent(deps, lead) && grantsFreshConsent(lead.consents);
  if (!freshConsent && (await store.isSuppressed(hashes))) return suppressedHit(deps, message, leadId);

  const resolution = await resolveContact(deps, keys, candidateContactId(leadId));
  const capturedAt = deps.clock.now().toISOString();
  const stored: StoredLead = { ...lead, contactId: resolution.contactId, capturedAt };
  if ((await store.putLead(stored)) === 'exists') {
    // Written before: a re-run (carry on, every write is idempotent), or a lead since deleted or erased,
    // whose late redelivery must not bring its data back.
    const existing = await store.getLead(leadId);
    if (existing?.deletedAt) {
      await receipts.updateReceipt(message, {
        status: existing.deletedReason === 'erased' ? 'suppressed' : 'deleted',
        leadId,
        erasePayload: true,
      });
      logger.info('lead was deleted before; not captured again', { leadId, reason: existing.deletedReason });
      return { status: existing.deletedReason === 'erased' ? 'suppressed' : 'deleted' };
    }
  }
  await store.upsertContact(profileFrom(stored), leadId);
  const consents = consentRecordsFor(
    stored,
    { receipt: { source: receipt.source, platformLeadId: receipt.platformLeadId }, payload: receipt.payload },
    capturedAt,
  );
  for (const record of consents) await store.putConsent(record);

  // An erasure or a merge may have raced these writes. An erasure writes its suppression entries before
  // it looks for the person, so either it finds what was just written or this check sees the entry.
  const settled = await settleContact(deps, stored.contactId);
  if (settled.erasedAt || (!freshConsent && (await store.isSuppressed(hashes)))) {
    await eraseRacedCapture(store, settled.contactId, hashes, deps.clock.now().toISOString());
    return suppressedHit(deps, message, leadId);
  }
  const contactId = settled.contactId;
  const final: StoredLead = { ...stored, contactId };

  await deps.bus.publish([
    {
      detailType: 'LeadCaptured',
      detail: leadCapturedDetail(
        final,
        consents.map((c) => ({ ...c, contactId })),
      ),
    },
  ]);
  const marked = await receipts.updateReceipt(message, {
    status: 'captured',
    leadId,
    contactId,
    retainDays: deps.config.privacy.receiptRetentionDays,
    unlessStatus: ['deleted'],
  });
  if (!marked) {
    // Deleted on the platform while this capture ran: the deletion found no lead to strip, so this does.
    await store.deleteLeadData(final, deps.clock.now().toISOString());
    logger.info('lead deleted on the platform during capture; its data is removed', { leadId });
    return { status: 'deleted' };
  }
  logger.info('lead captured', {
    leadId,
    contactId,
    source: lead.source,
    isTest: lead.isTest,
    ...(resolution.merges.length > 0 ? { mergedContacts: resolution.merges.map((m) => m.mergedId) } : {}),
  });
  return { status: 'captured', leadId, contactId };
}

/** A suppressed person's submission: not stored, not alerted; the hit is kept on the receipt, without PII. */
async function suppressedHit(
  deps: HubDeps,
  message: CaptureMessage,
  leadId: string,
): Promise<CaptureOutcome> {
  await deps.receipts.updateReceipt(message, { status: 'suppressed', leadId, erasePayload: true });
  deps.logger.info('lead suppressed', { leadId, source: message.source });
  return { status: 'suppressed' };
}

/** Erases what a capture wrote for a person an erasure reached meanwhile (idempotent, like the erasure). */
async function eraseRacedCapture(
  store: LeadStore,
  contactId: string,
  hashes: readonly string[],
  at: string,
): Promise<void> {
  let erasureId = (await store.getTombstone(contactId))?.erasureId;
  for (const hash of hashes) erasureId ??= (await store.getErasure(hash))?.erasureId;
  const erased = await store.eraseContact(contactId, {
    erasureId: erasureId ?? recordIdFor('er', contactId),
    at,
  });
  for (const hash of erased.identityHashes) await store.suppress(hash, { at, reason: 'erased' });
}

/** A form configured to accept fresh consent lets a suppressed person back in (web forms and Meta forms). */
function acceptsFreshConsent(deps: HubDeps, lead: Lead): boolean {
  const formId = lead.attribution.formId;
  if (!formId) return false;
  if (lead.source === 'form')
    return Object.hasOwn(deps.config.forms, formId) && !!deps.config.forms[formId]?.acceptFreshConsent;
  if (lead.source === 'meta')
    return (
      Object.hasOwn(deps.config.meta.forms, formId) && !!deps.config.meta.forms[formId]?.acceptFreshConsent
    );
  return false;
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

/** The LeadCaptured detail of a stored lead: ids, campaign attribution, consent choices and timings. */
export function leadCapturedDetail(lead: StoredLead, consents: readonly ConsentRecord[]): LeadCapturedV2 {
  return {
    version: '2',
    leadId: lead.leadId,
    contactId: lead.contactId,
    source: lead.source,
    platformLeadId: lead.platformLeadId,
    isTest: lead.isTest,
    ...(lead.truncated ? { truncated: true } : {}),
    attribution: campaignAttribution(lead.attribution),
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
