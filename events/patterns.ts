import { EVENT_SOURCE } from './contracts.js';

/**
 * EventBridge event patterns: the CDK rules and the local in-process bus both match these, so the two
 * runtimes route identically.
 */
export interface EventPattern {
  source: string[];
  'detail-type': string[];
  detail?: Record<string, unknown[]>;
}

export const Patterns = {
  /** LeadCaptured → enrich + score queue. */
  leadCapturedToEnrich: { source: [EVENT_SOURCE], 'detail-type': ['LeadCaptured'] },
  /** LeadScored → Slack notifier. */
  leadScoredToSlack: { source: [EVENT_SOURCE], 'detail-type': ['LeadScored'] },
} as const satisfies Record<string, EventPattern>;
