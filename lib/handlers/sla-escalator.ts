import type { HubDeps } from '../deps.js';
import { type EscalateResult, escalateLead } from '../pipeline/escalate.js';
import * as z from '../zod.js';

/** What an SLA timer delivers (EventBridge Scheduler's target input, or the local timer's payload). */
export const SlaTimerPayloadSchema = z.strictObject({
  kind: z.literal('sla'),
  leadId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  level: z.number().check(z.int(), z.minimum(1), z.maximum(10)),
});

/**
 * Target of the SLA timers. A payload off its contract is logged and dropped (retrying cannot fix it);
 * any other error is thrown, so the scheduler's retry policy tries again.
 */
export function createSlaEscalator(deps: HubDeps): (event: unknown) => Promise<EscalateResult | undefined> {
  return async (event) => {
    const parsed = SlaTimerPayloadSchema.safeParse(event);
    if (!parsed.success) {
      deps.logger.error('invalid SLA timer payload', {
        issues: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`),
      });
      return undefined;
    }
    const result = await escalateLead(deps, parsed.data);
    deps.logger.info('SLA check done', { leadId: parsed.data.leadId, level: parsed.data.level, ...result });
    return result;
  };
}
