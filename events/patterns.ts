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
  /**
   * A broken connection → the alarm topic (on AWS; the local runtime has no topic). DestinationFailing has
   * no contract yet: CRM destinations will publish it, and the rule already lets it through.
   */
  connectionFailuresToAlarms: {
    source: [EVENT_SOURCE],
    'detail-type': ['SourceConnectionFailed', 'DestinationFailing'],
  },
} as const satisfies Record<string, EventPattern>;
