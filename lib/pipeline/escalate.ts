import type { LeadSlaBreachedV2 } from '../../events/contracts.js';
import { escalationTarget, slaScheduleName } from '../alerts/sla.js';
import type { HubDeps } from '../deps.js';
import type { ScheduledPayload, SlackMessageRef } from '../ports.js';
import { alertLeadFromStored, buildAlertMessage } from './alert-message.js';
import { describeError, isSlackApp } from './notify.js';

export type EscalateDeps = Pick<
  HubDeps,
  'store' | 'bus' | 'clock' | 'logger' | 'notifier' | 'scheduler' | 'config'
>;

export type EscalateResult =
  | { result: 'escalated'; level: number; channel?: string }
  | {
      result: 'skipped';
      reason:
        | 'no-sla'
        | 'decided'
        | 'already-escalated'
        | 'no-level'
        | 'lead-gone'
        | 'not-due'
        | 'no-notifier';
    };

/** A timer that fires this much early (clock skew between hosts) still counts as due. */
const EARLY_TOLERANCE_MS = 2_000;
/** How long one escalator holds a level while it posts; a crashed one's level is free again after it. */
const ESCALATION_LEASE_MS = 60_000;

/**
 * An SLA timer fired. The timer may be stale (the lead was claimed and the cancel lost the race, or a
 * redelivery), so the alert record decides:
 * 1. decided, unknown, or this level already done: nothing to do (and the lead leaves the pending index);
 * 2. otherwise claim the level (a lease: a timer firing twice reposts once), repost the card in the
 *    level's escalation channel with its mention and the buttons, and record the level with the next
 *    level's due time;
 * 3. publish LeadSlaBreached.
 * A failed post gives the lease back and throws, so the scheduler's retry policy tries again.
 */
export async function escalateLead(deps: EscalateDeps, payload: ScheduledPayload): Promise<EscalateResult> {
  const { leadId, level } = payload;
  const now = deps.clock.now();
  const alert = await deps.store.getAlert(leadId);
  if (!alert?.sla) return { result: 'skipped', reason: 'no-sla' };
  if (alert.outcome) {
    await deps.store.clearPendingSla(leadId);
    return { result: 'skipped', reason: 'decided' };
  }
  if (alert.sla.level >= level) return { result: 'skipped', reason: 'already-escalated' };
  const dueAt = alert.sla.dueAt[level - 1];
  if (!dueAt) {
    await deps.store.clearPendingSla(leadId);
    return { result: 'skipped', reason: 'no-level' };
  }
  if (Date.parse(dueAt) - now.getTime() > EARLY_TOLERANCE_MS) {
    // Early (a rebuilt or re-armed timer): put it back at its time.
    await deps.scheduler?.schedule(slaScheduleName(leadId, level), new Date(dueAt), payload);
    return { result: 'skipped', reason: 'not-due' };
  }
  if (!deps.notifier) {
    deps.logger.error('SLA breached but no Slack notifier is configured', { leadId, level });
    return { result: 'skipped', reason: 'no-notifier' };
  }
  const stored = await deps.store.getLead(leadId);
  const card = stored ? alertLeadFromStored(stored) : undefined;
  if (!card) {
    await deps.store.clearPendingSla(leadId);
    return { result: 'skipped', reason: 'lead-gone' };
  }

  if (!(await deps.store.claimEscalation(leadId, level, now.toISOString(), ESCALATION_LEASE_MS))) {
    return { result: 'skipped', reason: 'already-escalated' };
  }
  const target = escalationTarget(deps.config, level, alert.messages[0]?.channel);
  const message = buildAlertMessage(card, now, {
    buttons: isSlackApp(deps.notifier),
    contactDetails: deps.notifier.contactDetails !== false,
    mention: target.mention,
    escalation: { level, slaMinutes: alert.sla.minutes },
  });
  let ref: SlackMessageRef | undefined;
  try {
    ref =
      (await deps.notifier.post(target.channel ? { ...message, channel: target.channel } : message)) ||
      undefined;
  } catch (error) {
    await deps.store.releaseEscalation(leadId, level).catch(() => undefined);
    throw error;
  }

  const nextDueAt = alert.sla.dueAt[level];
  const recorded = await deps.store.escalateAlert(leadId, {
    level,
    at: now.toISOString(),
    ...(ref ? { message: { ...ref, level } } : {}),
    ...(nextDueAt ? { nextDueAt } : {}),
  });
  if (!recorded) {
    // A rep decided while this was posting: the repost shows the decision too, without buttons.
    const decided = await deps.store.getAlert(leadId);
    if (ref && decided?.outcome && deps.notifier.update) {
      const decision = {
        outcome: decided.outcome,
        userId: decided.outcomeBy ?? '',
        at: new Date(decided.outcomeAt ?? now),
      };
      await deps.notifier
        .update(ref, buildAlertMessage(card, decision.at, { decision }))
        .catch((error: unknown) => {
          deps.logger.warn('could not update the overtaken escalation', {
            leadId,
            error: describeError(error),
          });
        });
    }
    deps.logger.info('SLA escalation overtaken by a decision', { leadId, level });
    return { result: 'skipped', reason: 'decided' };
  }
  deps.logger.warn('SLA breached: lead escalated', {
    leadId,
    level,
    channel: ref?.channel ?? target.channel,
  });

  if (nextDueAt && deps.scheduler) {
    // Normally set at alert time already; re-arming keeps a rebuilt local runtime's second level.
    await deps.scheduler
      .schedule(slaScheduleName(leadId, level + 1), new Date(nextDueAt), {
        kind: 'sla',
        leadId,
        level: level + 1,
      })
      .catch((error: unknown) => {
        deps.logger.error('could not schedule the next SLA level', { leadId, error: describeError(error) });
      });
  }

  const detail: LeadSlaBreachedV2 = {
    version: '2',
    leadId,
    contactId: stored?.contactId ?? alert.contactId ?? '',
    source: card.source,
    platformLeadId: stored?.platformLeadId ?? alert.platformLeadId ?? '',
    isTest: card.isTest,
    grade: alert.grade ?? card.grade,
    score: alert.score ?? card.score,
    attribution: card.attribution,
    timings: alert.timings ?? card.timings,
    level,
    slaMinutes: alert.sla.minutes,
    dueAt,
    breachedAt: now.toISOString(),
    ...(ref?.channel || target.channel ? { escalatedTo: ref?.channel ?? target.channel } : {}),
  };
  try {
    await deps.bus.publish([{ detailType: 'LeadSlaBreached', detail }]);
  } catch (error) {
    // The escalation happened and is recorded; a retry would find the level done and not publish either.
    deps.logger.error('could not publish LeadSlaBreached', { leadId, level, error: describeError(error) });
  }
  return { result: 'escalated', level, ...(ref?.channel ? { channel: ref.channel } : {}) };
}
