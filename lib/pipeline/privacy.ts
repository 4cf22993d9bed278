import { randomUUID } from 'node:crypto';
import type { ConsentWithdrawnV1, ContactErasedV1 } from '../../events/contracts.js';
import { type ConsentStateEntry, consentState, ledgerOrder, withdrawalRecord } from '../consent/ledger.js';
import { PROOF_RECIPE } from '../consent/proof.js';
import type { HubDeps } from '../deps.js';
import { type IdentityKey, identityKeyFor, recordIdFor } from '../lead/identity.js';
import { normaliseEmail, normalisePhone } from '../lead/normalise.js';
import type {
  AlertRecord,
  ConsentRecord,
  ContactProfile,
  ContactRef,
  ErasureRecord,
  MergeRecord,
  Receipt,
  StoredLead,
} from '../ports.js';
import { contactTimeline, type TimelineEntry } from './contact-view.js';
import { contactFamily, type ResolveDeps, rootOf } from './identity-resolution.js';
import { type AuditStart, audited, type PrivacyActor, recordAudit } from './privacy-audit.js';

/** The person a privacy request names: exactly one of an email or a phone number. */
export type PersonQuery = { email: string; phone?: undefined } | { phone: string; email?: undefined };

export type PrivacyDeps = ResolveDeps & Pick<HubDeps, 'receipts' | 'secrets' | 'config'>;

/** The identifier could not be read (not an email, not a phone number). */
export class InvalidIdentifierError extends Error {
  override name = 'InvalidIdentifierError';
  constructor(
    readonly field: 'email' | 'phone',
    message: string,
  ) {
    super(message);
  }
}

/** The identity key of the named person, canonicalised exactly as capture does it. */
export async function personKey(
  deps: Pick<PrivacyDeps, 'secrets' | 'config'>,
  query: PersonQuery,
): Promise<IdentityKey> {
  const pepper = await deps.secrets.get('LEADHUB_PEPPER');
  if (!pepper) throw new Error('LEADHUB_PEPPER is not configured');
  if (query.email !== undefined) {
    const email = normaliseEmail(query.email);
    if (!email.value) throw new InvalidIdentifierError('email', `email ${email.issue ?? 'is empty'}`);
    return identityKeyFor(pepper, 'email', email.value);
  }
  const phone = normalisePhone(query.phone, deps.config.defaults.phoneCountry);
  if (!phone.value) throw new InvalidIdentifierError('phone', `phone ${phone.issue ?? 'is empty'}`);
  return identityKeyFor(pepper, 'phone', phone.value);
}

/** The live contact holding the key, if any (erased people have no keys left). */
async function findPerson(deps: PrivacyDeps, key: IdentityKey): Promise<ContactRef | undefined> {
  const holder = await deps.store.getIdentity(key.hash);
  if (!holder) return undefined;
  const root = await rootOf(deps.store, holder);
  return root.erasedAt ? undefined : root;
}

interface PersonData {
  contactId: string;
  mergedContactIds: string[];
  profile: ContactProfile;
  leads: StoredLead[];
  consents: ConsentRecord[];
  merges: MergeRecord[];
}

/** Everything stored under the person's contact ids (the root and every contact merged into it). */
async function personData(deps: PrivacyDeps, root: ContactRef): Promise<PersonData | undefined> {
  const family = await contactFamily(deps.store, root.contactId);
  const leads = new Map<string, StoredLead>();
  const consents = new Map<string, ConsentRecord>();
  const merges: MergeRecord[] = [];
  let profile: ContactProfile | undefined;
  for (const id of family) {
    const view = await deps.store.getContact(id);
    if (!view) continue;
    if (id === root.contactId) profile = view.profile;
    for (const lead of view.leads) if (!leads.has(lead.leadId)) leads.set(lead.leadId, lead);
    for (const c of view.consents) {
      const k = `${c.at}#${c.purpose}#${c.leadId ?? c.recordId ?? ''}`;
      if (!consents.has(k)) consents.set(k, c);
    }
    merges.push(...view.merges);
  }
  if (!profile) return undefined;
  return {
    contactId: root.contactId,
    mergedContactIds: family.filter((id) => id !== root.contactId),
    profile,
    leads: [...leads.values()].sort((a, b) => a.platformCreatedAt.localeCompare(b.platformCreatedAt)),
    consents: [...consents.values()].sort(ledgerOrder),
    merges,
  };
}

/** A raw submission as the person sent it (the receipt), while it is retained. */
export interface ExportedSubmission {
  source: Receipt['source'];
  platformLeadId: string;
  receivedAt: string;
  status: Receipt['status'];
  payload: unknown;
}

/** POST /api/privacy/export: everything held about one person, for data portability (GDPR Art. 15, 20). */
export interface PersonExport {
  exportedAt: string;
  matchedOn: 'email' | 'phone';
  contactId: string;
  /** Older ids of the same person (merged into contactId). */
  mergedContactIds: string[];
  profile: ContactProfile;
  /** Every submission (lead) with its answers, attribution and score. */
  touches: StoredLead[];
  /** The consent ledger, oldest first, withdrawals included. */
  consentHistory: ConsentRecord[];
  /** The current state per purpose (the latest record wins). */
  consentState: ConsentStateEntry[];
  /** Raw submissions still retained; the consent proof hashes can be recomputed from them (README). */
  submissions: ExportedSubmission[];
  /** Sales alerts about the person's leads (ids, times and outcomes). */
  alerts: AlertRecord[];
  merges: MergeRecord[];
  timeline: TimelineEntry[];
  proofRecipe: string;
}

/**
 * Every export is on the audit trail (with the contact ids it disclosed), written before the answer: when
 * the record cannot be written, nothing is disclosed. Each request is its own record.
 */
export async function exportPerson(
  deps: PrivacyDeps,
  query: PersonQuery,
  actor: PrivacyActor,
): Promise<PersonExport | undefined> {
  const key = await personKey(deps, query);
  const root = await findPerson(deps, key);
  const data = root ? await personData(deps, root) : undefined;
  const start = (contactIds: string[]): AuditStart => ({
    auditId: recordIdFor('au', 'export', randomUUID()),
    action: 'export',
    actor,
    key,
    contactIds,
  });
  if (!data) {
    const contactIds = root ? [root.contactId] : [];
    await recordAudit(deps, start(contactIds), { outcome: 'not_found', contactIds });
    return undefined;
  }
  const submissions: ExportedSubmission[] = [];
  const alerts: AlertRecord[] = [];
  for (const lead of data.leads) {
    const receipt = await deps.receipts.getReceipt({
      source: lead.source,
      platformLeadId: lead.platformLeadId,
    });
    if (receipt && receipt.payload !== null && receipt.payload !== undefined) {
      submissions.push({
        source: receipt.source,
        platformLeadId: receipt.platformLeadId,
        receivedAt: receipt.receivedAt,
        status: receipt.status,
        payload: receipt.payload,
      });
    }
    const alert = await deps.store.getAlert(lead.leadId);
    if (alert) alerts.push(alert);
  }
  const { leadIds: _leadIds, ...profile } = data.profile as ContactProfile & { leadIds?: unknown };
  const contactIds = [data.contactId, ...data.mergedContactIds];
  await recordAudit(deps, start(contactIds), { outcome: 'done', contactIds, leadCount: data.leads.length });
  deps.logger.info('privacy export', { contactId: data.contactId, leads: data.leads.length });
  return {
    exportedAt: deps.clock.now().toISOString(),
    matchedOn: key.kind === 'email' ? 'email' : 'phone',
    contactId: data.contactId,
    mergedContactIds: data.mergedContactIds,
    profile,
    touches: data.leads,
    consentHistory: data.consents,
    consentState: consentState(data.consents),
    submissions,
    alerts,
    merges: data.merges,
    timeline: contactTimeline(data),
    proofRecipe: PROOF_RECIPE,
  };
}

/** Whether a suppression entry exists for the named person (erased, so not findable any more). */
export async function isSuppressedPerson(deps: PrivacyDeps, query: PersonQuery): Promise<boolean> {
  const key = await personKey(deps, query);
  return deps.store.isSuppressed([key.hash]);
}

export interface WithdrawalReceipt {
  status: 'withdrawn';
  contactId: string;
  withdrawals: {
    purpose: string;
    recordId: string;
    proofHash: string;
    previouslyGranted: boolean;
    at: string;
  }[];
}

/** Every purpose the person has a record for, named by `all`. */
export const ALL_PURPOSES = 'all';

/**
 * POST /api/privacy/withdraw: appends a withdrawal record per purpose (never an edit) and publishes
 * ConsentWithdrawn. The same `requestId` again writes no second record (a retried request), and no
 * second audit record: the audit record is named by the contact and the request id.
 */
export async function withdrawConsent(
  deps: PrivacyDeps,
  input: { query: PersonQuery; purpose: string; requestId: string },
  actor: PrivacyActor,
): Promise<WithdrawalReceipt | undefined> {
  const key = await personKey(deps, input.query);
  const root = await findPerson(deps, key);
  const data = root ? await personData(deps, root) : undefined;
  const contactIds = data ? [data.contactId, ...data.mergedContactIds] : root ? [root.contactId] : [];
  const start: AuditStart = {
    auditId: recordIdFor('au', 'withdraw', data?.contactId ?? key.hash, input.requestId),
    action: 'withdraw',
    actor,
    key,
    contactIds,
    withdrawalRequestId: input.requestId,
  };
  if (!data) {
    await recordAudit(deps, start, { outcome: 'not_found', contactIds });
    return undefined;
  }
  const state = consentState(data.consents);
  const purposes =
    input.purpose === ALL_PURPOSES ? state.filter((s) => s.granted).map((s) => s.purpose) : [input.purpose];
  return audited(
    deps,
    { ...start, purposes },
    () => withdraw(deps, data, purposes, input.requestId),
    () => ({ outcome: 'done', contactIds }),
  );
}

async function withdraw(
  deps: PrivacyDeps,
  data: PersonData,
  purposes: readonly string[],
  requestId: string,
): Promise<WithdrawalReceipt> {
  const at = deps.clock.now().toISOString();
  const receipt: WithdrawalReceipt = { status: 'withdrawn', contactId: data.contactId, withdrawals: [] };
  for (const purpose of purposes) {
    const previous = [...data.consents].reverse().find((c) => c.purpose === purpose);
    // The request id names the record, so a retry finds its own earlier withdrawal and keeps its time.
    const earlier = data.consents.find(
      (c) => c.method === 'withdrawal' && c.purpose === purpose && c.requestId === requestId,
    );
    const latestBefore = earlier
      ? [...data.consents].reverse().find((c) => c.purpose === purpose && c !== earlier && c.at <= earlier.at)
      : previous;
    const record =
      earlier ??
      withdrawalRecord({
        contactId: data.contactId,
        purpose,
        at,
        requestId,
        ...(previous ? { noticeVersion: previous.noticeVersion } : {}),
      });
    if (!earlier) await deps.store.putConsent(record);
    const detail: ConsentWithdrawnV1 = {
      version: '1',
      contactId: data.contactId,
      purpose,
      recordId: record.recordId as string,
      proofHash: record.proofHash as string,
      noticeVersion: record.noticeVersion,
      previouslyGranted: latestBefore?.granted ?? false,
      source: 'privacy_api',
      withdrawnAt: record.at,
    };
    await deps.bus.publish([{ detailType: 'ConsentWithdrawn', detail }]);
    receipt.withdrawals.push({
      purpose,
      recordId: detail.recordId,
      proofHash: detail.proofHash,
      previouslyGranted: detail.previouslyGranted,
      at: record.at,
    });
  }
  deps.logger.info('privacy withdrawal', { contactId: data.contactId, purposes: purposes.length });
  return receipt;
}

export interface ErasureReceipt {
  /** `not_found`: nothing was held; the identifier is suppressed all the same. */
  status: 'erased' | 'not_found';
  erasureId: string;
  contactId?: string;
  mergedContactIds: string[];
  leadIds: string[];
  /** Items whose personal data was removed or deleted in this run (0 when re-run). */
  itemsErased: number;
  /** Peppered identity keys put on the suppression list by this run (the requested one and the person's). */
  suppressedKeys: number;
  erasedAt: string;
  completedAt?: string;
}

/**
 * POST /api/privacy/erase: removes the person's PII from every item, keeps tombstones with the consent
 * proofs, suppresses every identity key of theirs and publishes ContactErased. Steps, each a single-item
 * idempotent write, so a crash half-way is finished by running the request again:
 * 1. suppress the requested key: from now on capture drops the person's submissions;
 * 2. record the erasure (its contact ids), so a re-run erases the same contacts even once their keys
 *    are gone;
 * 3. erase each contact (store.eraseContact), suppress each of its keys;
 * 4. mark the erasure done, publish ContactErased, mark it published, and file the finished erasure under
 *    the person's other keys too.
 */
export async function erasePerson(
  deps: PrivacyDeps,
  query: PersonQuery,
  actor: PrivacyActor,
): Promise<ErasureReceipt> {
  const key = await personKey(deps, query);
  const requestedAt = deps.clock.now().toISOString();
  const planned = await plannedErasure(deps, key, requestedAt);
  return audited(
    deps,
    {
      // Named by the erasure: a retry, or the same request by another identifier, finds its record.
      auditId: recordIdFor('au', 'erase', planned.erasureId),
      action: 'erase',
      actor,
      key,
      contactIds: planned.contactIds,
      erasureId: planned.erasureId,
    },
    () => erase(deps, key, requestedAt),
    (receipt) => ({
      outcome: receipt.status === 'erased' ? 'done' : 'not_found',
      contactIds: receipt.contactId ? [receipt.contactId, ...receipt.mergedContactIds] : [],
      erasureId: receipt.erasureId,
      leadCount: receipt.leadIds.length,
    }),
  );
}

/**
 * The erasure a request will run or resume, and whom it names, read ahead of it for its audit record
 * (with the same decision erase makes). Erase reads again once it has suppressed the key, which is
 * what a racing capture needs; contacts only it finds join the record with its outcome.
 */
async function plannedErasure(
  deps: PrivacyDeps,
  key: IdentityKey,
  requestedAt: string,
): Promise<{ erasureId: string; contactIds: string[] }> {
  const root = await findPerson(deps, key);
  const job = await deps.store.getErasure(key.hash);
  const family = root ? await contactFamily(deps.store, root.contactId) : [];
  if (!job || (job.status === 'done' && root)) {
    return { erasureId: recordIdFor('er', key.hash, requestedAt), contactIds: family };
  }
  return { erasureId: job.erasureId, contactIds: [...new Set([...job.contactIds, ...family])] };
}

async function erase(deps: PrivacyDeps, key: IdentityKey, requestedAt: string): Promise<ErasureReceipt> {
  const { store, clock } = deps;
  await store.suppress(key.hash, { at: requestedAt, reason: 'erased' });

  const root = await findPerson(deps, key);
  let job = await store.getErasure(key.hash);
  const family = root ? await contactFamily(store, root.contactId) : [];
  if (!job || (job.status === 'done' && root)) {
    // A new erasure, or the person came back (fresh consent) after an earlier one.
    job = {
      erasureId: recordIdFor('er', key.hash, requestedAt),
      keyHash: key.hash,
      status: 'started',
      requestedAt,
      contactIds: family,
      leadIds: [],
    };
    await store.putErasure(job);
  } else if (job.status === 'started' && family.some((id) => !job?.contactIds.includes(id))) {
    job = {
      ...job,
      contactIds: [...job.contactIds, ...family.filter((id) => !job?.contactIds.includes(id))],
    };
    await store.putErasure(job);
  }

  let items = 0;
  const suppressed = new Set([key.hash]);
  if (job.status === 'started') {
    const [rootId, ...mergedIds] = job.contactIds;
    const leadIds = new Set<string>();
    for (const contactId of job.contactIds) {
      const erased = await store.eraseContact(contactId, {
        erasureId: job.erasureId,
        at: job.requestedAt,
        mergedContactIds: contactId === rootId ? mergedIds : [],
      });
      for (const leadId of erased.leadIds) leadIds.add(leadId);
      for (const hash of erased.identityHashes) {
        await store.suppress(hash, { at: job.requestedAt, reason: 'erased' });
        suppressed.add(hash);
      }
      items += erased.items;
    }
    job = { ...job, status: 'done', leadIds: [...leadIds].sort(), completedAt: clock.now().toISOString() };
    await store.putErasure(job);
  }
  if (!job.publishedAt && job.contactIds.length > 0) {
    const [contactId, ...mergedContactIds] = job.contactIds as [string, ...string[]];
    const detail: ContactErasedV1 = {
      version: '1',
      contactId,
      mergedContactIds,
      leadIds: job.leadIds,
      erasureId: job.erasureId,
      erasedAt: job.requestedAt,
    };
    await deps.bus.publish([{ detailType: 'ContactErased', detail }]);
    job = { ...job, publishedAt: clock.now().toISOString() };
    await store.putErasure(job);
    // The person's other keys name the same (finished) erasure, so a request by phone after one by email
    // gets this receipt back rather than "not found".
    for (const hash of suppressed) if (hash !== key.hash) await store.putErasure({ ...job, keyHash: hash });
  }
  deps.logger.info('privacy erasure', {
    erasureId: job.erasureId,
    contacts: job.contactIds.length,
    leads: job.leadIds.length,
  });
  return erasureReceipt(job, items, suppressed.size);
}

function erasureReceipt(job: ErasureRecord, items: number, suppressed: number): ErasureReceipt {
  const [contactId, ...mergedContactIds] = job.contactIds;
  return {
    status: contactId ? 'erased' : 'not_found',
    erasureId: job.erasureId,
    ...(contactId ? { contactId } : {}),
    mergedContactIds,
    leadIds: job.leadIds,
    itemsErased: items,
    suppressedKeys: suppressed,
    erasedAt: job.requestedAt,
    ...(job.completedAt ? { completedAt: job.completedAt } : {}),
  };
}
