import type { ContactsMergedV1 } from '../../events/contracts.js';
import type { HubDeps } from '../deps.js';
import type { IdentityKey } from '../lead/identity.js';
import type { ContactRef, LeadStore, MergeRecord } from '../ports.js';

export type ResolveDeps = Pick<HubDeps, 'store' | 'bus' | 'clock' | 'logger'>;

/** Longest merged-into chain followed before giving up (chains are a handful of hops at most). */
const MAX_HOPS = 16;
/** A merge that lost a race (its loser was merged elsewhere meanwhile) is re-resolved this many times. */
const MAX_ATTEMPTS = 5;

type MatchKind = IdentityKey['kind'];

/** The contact an id resolves to now: merged-into pointers are followed to the end. */
export async function rootOf(
  store: Pick<LeadStore, 'getContactRef'>,
  contactId: string,
): Promise<ContactRef> {
  let ref: ContactRef = (await store.getContactRef(contactId)) ?? { contactId };
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (!ref.mergedInto) return ref;
    ref = (await store.getContactRef(ref.mergedInto)) ?? { contactId: ref.mergedInto };
  }
  throw new Error(`merged-into chain from ${contactId} is longer than ${MAX_HOPS}`);
}

/**
 * Contacts in age order: birth time (the profile's createdAt, written before a contact claims any key
 * and never changed), then id. Every racer sees the same order, so merges only ever go from a younger
 * contact into an older one and can never form a cycle.
 */
export function olderFirst(a: ContactRef, b: ContactRef): number {
  return (
    (a.createdAt ?? '\uffff').localeCompare(b.createdAt ?? '\uffff') || a.contactId.localeCompare(b.contactId)
  );
}

export interface Resolution {
  contactId: string;
  /** Merges this resolution made or finished. */
  merges: MergeRecord[];
}

/**
 * One person, one contact id, without transactions. Every identity key of the submission (email, phone,
 * platform user id) is looked up; the keys nobody holds are claimed with conditional puts (email first,
 * so two first submissions of one person race on the same key and the loser adopts the winner). When the
 * keys lead to two or more contacts (email known to one, phone to another), the younger ones are merged
 * into the oldest, which is returned.
 */
export async function resolveContact(
  deps: ResolveDeps,
  keys: readonly IdentityKey[],
  candidate: string,
): Promise<Resolution> {
  const merges: MergeRecord[] = [];
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const outcome = await resolveOnce(deps, keys, candidate, merges);
    if (outcome) return { contactId: outcome, merges };
  }
  throw new Error('identity resolution kept losing merge races; the queue will retry');
}

async function resolveOnce(
  deps: ResolveDeps,
  keys: readonly IdentityKey[],
  candidate: string,
  merges: MergeRecord[],
): Promise<string | undefined> {
  const { store, clock } = deps;
  const contacts = new Map<string, ContactRef>();
  const matched = new Map<string, Set<MatchKind>>();
  const note = (ref: ContactRef, kind: MatchKind) => {
    contacts.set(ref.contactId, ref);
    const kinds = matched.get(ref.contactId) ?? new Set<MatchKind>();
    kinds.add(kind);
    matched.set(ref.contactId, kinds);
  };

  const unclaimed: IdentityKey[] = [];
  const holders = await store.getIdentities(keys.map((k) => k.hash));
  for (const key of keys) {
    const holder = holders.get(key.hash);
    if (!holder) {
      unclaimed.push(key);
      continue;
    }
    const root = await rootOf(store, holder);
    // A key still pointing at a merged contact means that merge did not finish (keys move last).
    if (root.contactId !== holder) merges.push(await completeMerge(deps, holder, root.contactId, [key.kind]));
    note(root, key.kind);
  }

  let target = [...contacts.values()].sort(olderFirst)[0];
  let fresh = false;
  if (!target) {
    // Born before it claims anything, so every racer that meets it can tell its age.
    target = await store.ensureContact(candidate, clock.now().toISOString());
    fresh = true;
  }
  for (const key of unclaimed) {
    const claim = await store.claimIdentity(key.hash, target.contactId);
    if (claim.claimed) {
      fresh = false;
      note(target, key.kind);
      continue;
    }
    const winner = await rootOf(store, claim.contactId);
    if (fresh) {
      // A concurrent first submission of the same person won the race: join it rather than merge.
      target = winner;
      fresh = false;
    }
    note(winner, key.kind);
  }
  if (!contacts.has(target.contactId)) contacts.set(target.contactId, target);

  const [survivor, ...younger] = [...contacts.values()].sort(olderFirst);
  if (!survivor) return undefined;
  for (const loser of younger) {
    const kinds = [
      ...new Set([...(matched.get(loser.contactId) ?? []), ...(matched.get(survivor.contactId) ?? [])]),
    ];
    const at = clock.now().toISOString();
    if (!(await store.markContactMerged(loser.contactId, survivor.contactId, at))) return undefined;
    merges.push(await completeMerge(deps, loser.contactId, survivor.contactId, kinds.sort()));
  }
  return survivor.contactId;
}

/**
 * Finishes the merge of `mergedId` (already pointing at the survivor) into `survivorId`: moves its leads
 * and consent records, re-points its identity keys, logs the merge and publishes ContactsMerged once the
 * log says it has not been. Every step is idempotent, so anyone who finds a half-done merge completes it.
 */
export async function completeMerge(
  deps: ResolveDeps,
  mergedId: string,
  survivorId: string,
  matchedOn: readonly MatchKind[],
): Promise<MergeRecord> {
  const { store, clock } = deps;
  const { leadIds } = await store.moveContactData(mergedId, survivorId);
  const record = await store.putMergeRecord({
    survivorId,
    mergedId,
    mergedAt: clock.now().toISOString(),
    matchedOn: [...matchedOn],
    leadIds,
  });
  if (!record.publishedAt) {
    const detail: ContactsMergedV1 = {
      version: '1',
      contactId: survivorId,
      mergedContactId: mergedId,
      leadIds: record.leadIds ?? leadIds,
      matchedOn: record.matchedOn.filter((k): k is MatchKind => ['email', 'phone', 'platform'].includes(k)),
      mergedAt: record.mergedAt,
    };
    await deps.bus.publish([{ detailType: 'ContactsMerged', detail }]);
    await store.markMergePublished(survivorId, mergedId, clock.now().toISOString());
    deps.logger.info('contacts merged', {
      contactId: survivorId,
      mergedContactId: mergedId,
      leads: detail.leadIds.length,
      matchedOn: detail.matchedOn,
    });
  }
  return record;
}

/**
 * After capture has written under `contactId`: if a merge moved that contact meanwhile, the writes are
 * moved after it (the merge may have listed the contact's items before they landed). Returns where the
 * person lives now, and whether that contact was erased.
 */
export async function settleContact(
  deps: ResolveDeps,
  contactId: string,
): Promise<{ contactId: string; erasedAt?: string }> {
  const root = await rootOf(deps.store, contactId);
  if (root.contactId !== contactId) await completeMerge(deps, contactId, root.contactId, []);
  return { contactId: root.contactId, ...(root.erasedAt ? { erasedAt: root.erasedAt } : {}) };
}

/** Every contact id of one person: the root and, recursively, the contacts merged into it. */
export async function contactFamily(store: Pick<LeadStore, 'getContact'>, rootId: string): Promise<string[]> {
  const ids: string[] = [];
  const queue = [rootId];
  while (queue.length > 0 && ids.length < 1000) {
    const id = queue.shift() as string;
    if (ids.includes(id)) continue;
    ids.push(id);
    const view = await store.getContact(id);
    for (const merge of view?.merges ?? []) queue.push(merge.mergedId);
  }
  return ids;
}
