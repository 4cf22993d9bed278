import type { LeadClaimedV2, LeadDisqualifiedV2 } from '../../events/contracts.js';
import { slaScheduleName } from '../alerts/sla.js';
import type { HubDeps } from '../deps.js';
import { campaignAttribution } from '../lead/model.js';
import type { AlertOutcome, AlertRecord, BusEvent, StageTimings, StoredLead } from '../ports.js';
import {
  alertLeadFromStored,
  buildAlertMessage,
  formatWaiting,
  minutesWaiting,
  userMention,
} from './alert-message.js';
import { describeError } from './notify.js';
import { stageDurations } from './speed-to-lead.js';

export type DecideDeps = Pick<
  HubDeps,
  'store' | 'bus' | 'clock' | 'logger' | 'notifier' | 'scheduler' | 'metrics'
>;

export interface DecideInput {
  leadId: string;
  outcome: AlertOutcome;
  /** Slack user id of the rep who clicked. */
  userId: string;
  /** Where to send an ephemeral reply to this rep. */
  channel?: string;
  responseUrl?: string;
}

export type DecideResult =
  | { result: 'won'; outcome: AlertOutcome }
  /** The same rep clicked the same button again: whatever did not finish the first time is redone. */
  | { result: 'repeat'; outcome: AlertOutcome }
  | { result: 'taken'; outcome?: AlertOutcome; by?: string }
  | { result: 'unknown-lead' };

/**
 * A rep's Claim or Not a fit on an alert card:
 * 1. the decision is a conditional write on the alert record, so the first click wins however many
 *    arrive at once;
 * 2. a later click by someone else gets an ephemeral reply saying who has the lead;
 * 3. the winner's decision cancels the SLA timers (the escalator re-checks the record anyway, since a
 *    cancel can race the timer), updates every card of the lead in place (alert and escalations, buttons
 *    removed), stamps claimedAt on the lead and publishes LeadClaimed or LeadDisqualified.
 * Only a failed publish throws: the rep sees Slack's error and clicks again, and the repeat publishes.
 */
export async function decideLead(deps: DecideDeps, input: DecideInput): Promise<DecideResult> {
  const at = deps.clock.now();
  const decision = await deps.store.decideAlert(input.leadId, {
    outcome: input.outcome,
    userId: input.userId,
    at: at.toISOString(),
  });
  if (decision.won) {
    deps.logger.info('lead decided in Slack', {
      leadId: input.leadId,
      outcome: input.outcome,
      userId: input.userId,
    });
    await settle(deps, decision.alert);
    return { result: 'won', outcome: input.outcome };
  }

  const alert = decision.alert;
  if (!alert) {
    await reply(deps, input, 'LeadHub has no alert for this lead any more.');
    return { result: 'unknown-lead' };
  }
  if (alert.outcome === input.outcome && alert.outcomeBy === input.userId) {
    await settle(deps, alert);
    return { result: 'repeat', outcome: input.outcome };
  }
  await reply(deps, input, takenText(alert, input.userId, at));
  deps.logger.info('lead already decided', {
    leadId: input.leadId,
    outcome: alert.outcome,
    by: alert.outcomeBy,
  });
  return {
    result: 'taken',
    ...(alert.outcome ? { outcome: alert.outcome } : {}),
    ...(alert.outcomeBy ? { by: alert.outcomeBy } : {}),
  };
}

/** "<@U1> claimed this lead 3 min ago." — or, to the rep who decided, what they did. */
export function takenText(alert: AlertRecord, userId: string, now: Date): string {
  const ago = alert.outcomeAt ? ` ${formatWaiting(minutesWaiting(alert.outcomeAt, now))} ago` : '';
  const did = alert.outcome === 'disqualified' ? 'marked this lead not a fit' : 'claimed this lead';
  if (!alert.outcomeBy) return 'Someone else got to this lead first.';
  if (alert.outcomeBy === userId) return `You already ${did}${ago}.`;
  return `${userMention(alert.outcomeBy)} already ${did}${ago}.`;
}

async function reply(deps: DecideDeps, input: DecideInput, text: string): Promise<void> {
  if (!deps.notifier?.replyEphemeral) return;
  try {
    await deps.notifier.replyEphemeral(
      {
        userId: input.userId,
        ...(input.channel ? { channel: input.channel } : {}),
        ...(input.responseUrl ? { responseUrl: input.responseUrl } : {}),
      },
      text,
    );
  } catch (error) {
    deps.logger.warn('could not send the ephemeral reply', {
      leadId: input.leadId,
      error: describeError(error),
    });
  }
}

async function settle(deps: DecideDeps, alert: AlertRecord): Promise<void> {
  const { leadId } = alert;
  const outcome = alert.outcome as AlertOutcome;
  const decidedAt = new Date(alert.outcomeAt ?? deps.clock.now().toISOString());

  if (deps.scheduler && alert.sla) {
    for (let level = 1; level <= alert.sla.dueAt.length; level++) {
      await deps.scheduler.cancel(slaScheduleName(leadId, level)).catch((error: unknown) => {
        deps.logger.warn('could not cancel an SLA timer', { leadId, level, error: describeError(error) });
      });
    }
  }

  let stored: StoredLead | undefined;
  try {
    stored = await deps.store.getLead(leadId);
  } catch (error) {
    deps.logger.warn('could not read the lead for its card', { leadId, error: describeError(error) });
  }

  const timings: StageTimings | undefined =
    alert.timings ??
    (stored
      ? {
          platformCreatedAt: stored.platformCreatedAt,
          receivedAt: stored.receivedAt,
          capturedAt: stored.capturedAt,
          ...(stored.scoring ? { scoredAt: stored.scoring.scoredAt } : {}),
        }
      : undefined);
  if (outcome === 'claimed' && timings) timings.claimedAt = decidedAt.toISOString();

  const cards = updateCards(deps, alert, stored, decidedAt);
  const bookkeeping = (async () => {
    const lead = stored ?? alert;
    if (outcome !== 'claimed' || !lead.contactId || !lead.platformCreatedAt) return;
    try {
      await deps.store.recordLeadStage(
        { leadId, contactId: lead.contactId, platformCreatedAt: lead.platformCreatedAt },
        'claimedAt',
        decidedAt.toISOString(),
      );
      if (timings && lead.source) {
        deps.metrics?.recordStages(
          { source: lead.source, isTest: lead.isTest ?? false },
          stageDurations(timings, ['claimed', 'createdToClaimed']),
        );
      }
    } catch (error) {
      deps.logger.warn('could not record claimedAt', { leadId, error: describeError(error) });
    }
  })();

  try {
    if (!alert.decisionPublishedAt) {
      const event = decisionEvent(alert, stored, timings, decidedAt);
      if (event) {
        await deps.bus.publish([event]);
        await deps.store.markDecisionPublished(leadId, deps.clock.now().toISOString());
      } else {
        deps.logger.error('cannot build the decision event: lead and alert details are missing', { leadId });
      }
    }
  } finally {
    await Promise.all([cards, bookkeeping]);
  }
}

/** Every card of the lead (alert and escalations) shows the decision and loses its buttons. */
async function updateCards(
  deps: DecideDeps,
  alert: AlertRecord,
  stored: StoredLead | undefined,
  decidedAt: Date,
): Promise<void> {
  const update = deps.notifier?.update?.bind(deps.notifier);
  if (!update || alert.messages.length === 0) return;
  const card = stored ? alertLeadFromStored(stored) : undefined;
  const decision = { outcome: alert.outcome as AlertOutcome, userId: alert.outcomeBy ?? '', at: decidedAt };
  const message = card
    ? buildAlertMessage(card, decidedAt, { decision })
    : {
        // The lead is gone (erased): the card still loses its buttons and says who decided.
        text: 'Lead decided',
        blocks: [
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: `${decision.outcome === 'claimed' ? 'Claimed' : 'Marked not a fit'} by ${userMention(decision.userId)}`,
            },
          },
        ],
      };
  const results = await Promise.allSettled(alert.messages.map((ref) => update(ref, message)));
  for (const r of results) {
    if (r.status === 'rejected') {
      deps.logger.warn('could not update an alert card', {
        leadId: alert.leadId,
        error: describeError(r.reason),
      });
    }
  }
}

function decisionEvent(
  alert: AlertRecord,
  stored: StoredLead | undefined,
  timings: StageTimings | undefined,
  decidedAt: Date,
): BusEvent | undefined {
  const contactId = alert.contactId ?? stored?.contactId;
  const platformLeadId = alert.platformLeadId ?? stored?.platformLeadId;
  const source = alert.source ?? stored?.source;
  const grade = alert.grade ?? stored?.scoring?.grade;
  const score = alert.score ?? stored?.scoring?.score;
  if (!contactId || !platformLeadId || !source || grade === undefined || score === undefined || !timings) {
    return undefined;
  }
  const base = {
    version: '2' as const,
    leadId: alert.leadId,
    contactId,
    source,
    platformLeadId,
    isTest: alert.isTest ?? stored?.isTest ?? false,
    grade,
    score,
    attribution: stored ? campaignAttribution(stored.attribution) : { source, utm: {} },
    timings,
  };
  const actor = { slackUserId: alert.outcomeBy ?? '' };
  if (alert.outcome === 'claimed') {
    const detail: LeadClaimedV2 = {
      ...base,
      claimedBy: actor,
      claimedAt: decidedAt.toISOString(),
      secondsToClaim: Math.max(
        0,
        Math.round((decidedAt.getTime() - Date.parse(timings.platformCreatedAt)) / 1000),
      ),
    };
    return { detailType: 'LeadClaimed', detail };
  }
  const detail: LeadDisqualifiedV2 = {
    ...base,
    disqualifiedBy: actor,
    disqualifiedAt: decidedAt.toISOString(),
    reason: 'not_a_fit',
  };
  return { detailType: 'LeadDisqualified', detail };
}
