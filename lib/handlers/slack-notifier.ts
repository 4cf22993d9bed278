import type { EventBridgeEvent } from 'aws-lambda';
import { LeadScoredV2Schema } from '../../events/contracts.js';
import type { HubDeps } from '../deps.js';
import { InvalidEventError, issuePaths } from '../pipeline/errors.js';
import { notifyLead } from '../pipeline/notify.js';

/**
 * Target of the LeadScored rule. Any thrown error (a transient Slack or store failure) makes the
 * platform retry the event and, when retries run out, park it in the DLQ; notifyLead's claim keeps
 * retries from posting twice. A lead erased or deleted before its alert is skipped, not thrown.
 */
export function createSlackNotifier(
  deps: HubDeps,
): (event: EventBridgeEvent<'LeadScored', unknown>) => Promise<void> {
  return async (event) => {
    const parsed = LeadScoredV2Schema.safeParse(event.detail);
    if (!parsed.success) {
      const issues = issuePaths(parsed.error);
      deps.logger.error('invalid LeadScored event', { eventId: event.id, issues });
      // Thrown so the event ends up in the DLQ, where it can be inspected, rather than vanishing.
      throw new InvalidEventError('LeadScored detail does not match the v2 contract', issues);
    }
    const result = await notifyLead(deps, parsed.data);
    deps.logger.debug('LeadScored handled', { eventId: event.id, leadId: parsed.data.leadId, ...result });
  };
}
