import { createHash, createHmac } from 'node:crypto';
import type { HubDeps } from '../../deps.js';
import type { RawLead } from '../../lead/model.js';
import { ingest, ingestClaimed } from '../../pipeline/ingest.js';
import type { FormFields } from './parse.js';

/**
 * How web-form posts dedupe (README: Web forms). A post with a `submission_id` (or Idempotency-Key) is keyed
 * by form and id; the id is the poster's word only, so the receipt also keeps a fingerprint of the content,
 * and a post whose content differs from the receipt's is stored under a key of its own (a conflict), never
 * dropped as a duplicate. A post without an id is keyed by a hash of its content, which is its own proof.
 */

const SUBMISSION_KEY_PREFIX = 's_';
/** Ends a claimed key in a conflict key; ids cannot hold it (map.ts), and the fingerprint after it is keyed. */
const CONFLICT_SEPARATOR = '~';
const FINGERPRINT_HEX_CHARS = 32;

/** Fields sorted by name, without those left out; a repeated field keeps its values' order. */
function canonicalFields(fields: FormFields, omit: ReadonlySet<string | undefined>): [string, string[]][] {
  return Object.keys(fields)
    .filter((name) => !omit.has(name))
    .sort()
    .map((name) => [name, fields[name] ?? []]);
}

/** Same content, same id: a browser or proxy that re-sends a submission creates no second lead. */
export function contentHashId(formId: string, fields: FormFields, honeypot: string | undefined): string {
  return `h_${createHash('sha256')
    .update(JSON.stringify([formId, canonicalFields(fields, new Set([honeypot]))]))
    .digest('hex')
    .slice(0, 40)}`;
}

/** The key of a poster-chosen id, scoped to its form (form ids hold no `:`, so the first `:` ends it). */
export function submissionKey(formId: string, submissionId: string): string {
  return `${SUBMISSION_KEY_PREFIX}${formId}:${submissionId}`;
}

/**
 * What "the same content" means for a poster-chosen id: every posted field but the id itself and the
 * honeypot, order of fields aside. Headers (Referer, user agent, Idempotency-Key, signature), the sender's
 * IP and the time are left out: a retry may come through another proxy. Keyed with the pepper, because a
 * plain hash of a submission is still personal data.
 */
export function contentFingerprint(pepper: string, fields: FormFields, honeypot: string | undefined): string {
  return createHmac('sha256', pepper)
    .update(JSON.stringify(canonicalFields(fields, new Set(['submission_id', honeypot]))))
    .digest('hex')
    .slice(0, FINGERPRINT_HEX_CHARS);
}

/** The key of a post whose id was already claimed by other content: one per content, so its retries dedupe. */
export function conflictKey(claimedKey: string, fingerprint: string): string {
  return `${claimedKey}${CONFLICT_SEPARATOR}${fingerprint}`;
}

export interface FormIngestOutcome {
  /** The receipt's key, answered as `submissionId`. */
  submissionId: string;
  duplicate: boolean;
  /** The id was claimed by a submission with other content; this one has a receipt of its own. */
  conflict: boolean;
}

/** Makes a mapped post durable and queued, deduping as described at the top of this file. */
export async function ingestFormSubmission(
  deps: Pick<HubDeps, 'receipts' | 'captureQueue' | 'clock' | 'secrets' | 'logger'>,
  submission: { formId: string; lead: RawLead; fields: FormFields; honeypot: string | undefined },
): Promise<FormIngestOutcome> {
  const { formId, lead } = submission;
  const claimed = lead.platformLeadId;
  if (!claimed.startsWith(SUBMISSION_KEY_PREFIX)) {
    const outcome = await ingest(deps, { source: 'form', platformLeadId: claimed, payload: lead });
    return { submissionId: claimed, duplicate: outcome.status === 'duplicate', conflict: false };
  }

  const pepper = await deps.secrets.get('LEADHUB_PEPPER');
  if (!pepper) throw new Error('LEADHUB_PEPPER is not configured');
  const fingerprint = contentFingerprint(pepper, submission.fields, submission.honeypot);
  const first = await ingestClaimed(deps, {
    source: 'form',
    platformLeadId: claimed,
    payload: lead,
    fingerprint,
  });
  if (first.status !== 'conflict') {
    return { submissionId: claimed, duplicate: first.status === 'duplicate', conflict: false };
  }

  const own = conflictKey(claimed, fingerprint);
  const second = await ingestClaimed(deps, {
    source: 'form',
    platformLeadId: own,
    payload: { ...lead, platformLeadId: own },
    fingerprint,
    conflictWith: claimed,
  });
  // Only a fingerprint collision gets here; a 5xx is better than a guess.
  if (second.status === 'conflict') throw new Error('conflict receipt holds other content');
  if (second.status === 'accepted') {
    deps.logger.warn('form submission id reused with other content; stored as a new submission', {
      formId,
      platformLeadId: own,
      conflictWith: claimed,
    });
  }
  return { submissionId: own, duplicate: second.status === 'duplicate', conflict: true };
}
