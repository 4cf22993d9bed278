import {
  type LeadCapturedV1,
  LeadCapturedV1Schema,
  type LeadScoredV1,
  LeadScoredV1Schema,
} from '../../events/contracts.js';
import type { HubDeps } from '../deps.js';
import type { LeadScore } from '../ports.js';
import { enrichContact } from '../scoring/enrich.js';
import { scoreLead } from '../scoring/score.js';
import { InvalidEventError } from './errors.js';

export type EnrichScoreDeps = Pick<HubDeps, 'store' | 'bus' | 'clock' | 'config'>;

/**
 * A message that can never succeed (not JSON, not a LeadCaptured event, detail off-contract). It is
 * still reported as a failed item: SQS redrives it to the DLQ after maxReceiveCount, where it can be
 * inspected. `issues` lists field paths only, never values (they may be PII).
 */
/**
 * Enriches and scores one captured lead:
 * 1. validates the detail against the LeadCaptured v1 contract;
 * 2. derives the enrichment (email domain class, phone country and line type) and runs the rules;
 * 3. saves the score on the lead (an overwrite, so a redelivery converges);
 * 4. publishes LeadScored with the captured fields plus score, grade, stage, breakdown and enrichment.
 */
export async function enrichAndScore(deps: EnrichScoreDeps, captured: LeadCapturedV1): Promise<LeadScoredV1> {
  const parsed = LeadCapturedV1Schema.safeParse(captured);
  if (!parsed.success) {
    throw new InvalidEventError(
      'LeadCaptured detail does not match the v1 contract',
      issuePaths(parsed.error),
    );
  }
  const lead = parsed.data;
  const enrichment = enrichContact(lead.contact, deps.config.scoring.email);
  const result = scoreLead(lead, enrichment, deps.config.scoring);
  const scoredAt = deps.clock.now().toISOString();
  const score: LeadScore = { ...result, enrichment, scoredAt };

  await deps.store.saveScore(
    { leadId: lead.leadId, contactId: lead.contactId, platformCreatedAt: lead.timings.platformCreatedAt },
    score,
  );

  // Parsing the outgoing detail keeps a rule-config mistake from publishing an off-contract event.
  const detail = LeadScoredV1Schema.parse({
    ...lead,
    timings: { ...lead.timings, scoredAt },
    score: result.score,
    grade: result.grade,
    stage: result.stage,
    breakdown: result.breakdown,
    enrichment,
  });
  await deps.bus.publish([{ detailType: 'LeadScored', detail }]);
  return detail;
}

/**
 * The LeadCaptured detail inside an SQS record body, which is the whole EventBridge event as the
 * rule's SQS target delivers it.
 */
export function parseLeadCapturedBody(body: string): LeadCapturedV1 {
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
  const parsed = LeadCapturedV1Schema.safeParse((event as { detail: unknown }).detail);
  if (!parsed.success) {
    throw new InvalidEventError(
      'LeadCaptured detail does not match the v1 contract',
      issuePaths(parsed.error),
    );
  }
  return parsed.data;
}

function issuePaths(error: { issues: readonly { path: readonly PropertyKey[]; code: string }[] }): string[] {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`);
}

export { InvalidEventError };
