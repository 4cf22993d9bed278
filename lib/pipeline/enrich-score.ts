import {
  type LeadCapturedV2,
  LeadCapturedV2Schema,
  type LeadScoredV2,
  LeadScoredV2Schema,
} from '../../events/contracts.js';
import type { HubDeps } from '../deps.js';
import { pickContactFields } from '../lead/model.js';
import type { LeadDeletionReason, LeadScore, StoredLead } from '../ports.js';
import { enrichContact, enrichmentClasses } from '../scoring/enrich.js';
import { type ScoringInput, scoreLead } from '../scoring/score.js';
import { InvalidEventError, issuePaths } from './errors.js';
import { readEventLead } from './event-lead.js';

export type EnrichScoreDeps = Pick<HubDeps, 'store' | 'bus' | 'clock' | 'config'>;

export type EnrichScoreResult =
  | { status: 'scored'; detail: LeadScoredV2 }
  /** The lead's data was removed (the person erased, or the lead deleted on its platform): nothing to do. */
  | { status: 'skipped'; reason: LeadDeletionReason };

/**
 * Enriches and scores one captured lead:
 * 1. validates the detail against the LeadCaptured v2 contract (ids only);
 * 2. reads the lead from the store by its key (one GetItem); a lead whose data was removed since (erased,
 *    or deleted on its platform) is skipped, not retried;
 * 3. derives the enrichment (email domain class, phone country and line type) and runs the rules;
 * 4. saves the score (an overwrite, so a redelivery converges);
 * 5. publishes LeadScored: the captured event's ids plus score, grade, stage, breakdown and the
 *    enrichment's classes.
 */
export async function enrichAndScore(
  deps: EnrichScoreDeps,
  captured: LeadCapturedV2,
): Promise<EnrichScoreResult> {
  const parsed = LeadCapturedV2Schema.safeParse(captured);
  if (!parsed.success) {
    throw new InvalidEventError(
      'LeadCaptured detail does not match the v2 contract',
      issuePaths(parsed.error),
    );
  }
  const event = parsed.data;
  const lead = await readEventLead(deps.store, event);
  if (lead.deletedAt) return { status: 'skipped', reason: lead.deletedReason ?? 'erased' };

  const enrichment = enrichContact(lead, deps.config.scoring.email);
  const result = scoreLead(scoringInputOf(lead), enrichment, deps.config.scoring);
  const scoredAt = deps.clock.now().toISOString();
  const score: LeadScore = { ...result, enrichment, scoredAt };
  // Keyed where the lead lives now: a merge since the event may have moved it to another contact.
  await deps.store.saveScore(
    { leadId: lead.leadId, contactId: lead.contactId, platformCreatedAt: lead.platformCreatedAt },
    score,
  );

  // Parsing the outgoing detail keeps a rule-config mistake from publishing an off-contract event.
  const detail = LeadScoredV2Schema.parse({
    ...event,
    // Where the lead lives now, so the notifier's read finds it at its key.
    contactId: lead.contactId,
    timings: { ...event.timings, scoredAt },
    score: result.score,
    grade: result.grade,
    stage: result.stage,
    breakdown: result.breakdown,
    enrichment: enrichmentClasses(enrichment),
  });
  await deps.bus.publish([{ detailType: 'LeadScored', detail }]);
  return { status: 'scored', detail };
}

/** What the scoring rules read of a stored lead. */
export function scoringInputOf(lead: StoredLead): ScoringInput {
  return {
    source: lead.source,
    contact: pickContactFields(lead),
    answers: lead.answers,
    attribution: lead.attribution,
  };
}

/**
 * The LeadCaptured detail inside an SQS record body, which is the whole EventBridge event as the
 * rule's SQS target delivers it. A message that can never succeed (not JSON, not a LeadCaptured event,
 * detail off-contract) is an InvalidEventError: still reported as a failed item, so SQS redrives it to the
 * DLQ after maxReceiveCount, where it can be inspected. `issues` lists field paths only, never values.
 */
export function parseLeadCapturedBody(body: string): LeadCapturedV2 {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    throw new InvalidEventError('record body is not JSON');
  }
  if (typeof event !== 'object' || event === null || !('detail' in event)) {
    throw new InvalidEventError('record body is not an EventBridge event');
  }
  const detailType = (event as Record<string, unknown>)['detail-type'];
  if (detailType !== 'LeadCaptured') {
    throw new InvalidEventError(`unexpected detail-type ${JSON.stringify(String(detailType)).slice(0, 60)}`);
  }
  const parsed = LeadCapturedV2Schema.safeParse((event as { detail: unknown }).detail);
  if (!parsed.success) {
    throw new InvalidEventError(
      'LeadCaptured detail does not match the v2 contract',
      issuePaths(parsed.error),
    );
  }
  return parsed.data;
}

export { InvalidEventError };
