import type { LeadScoredV2 } from '../../events/contracts.js';
import { routeLead } from '../alerts/routing.js';
import { slaDueTimes, slaMinutesFor, slaScheduleName } from '../alerts/sla.js';
import { ConfigError } from '../config.js';
import type { HubDeps } from '../deps.js';
import type { AlertSla, Notifier, SentAlert, SlackMessageRef, StageTimings } from '../ports.js';
import { type AlertLead, alertLeadFromScored, buildAlertMessage } from './alert-message.js';
import { readEventLead } from './event-lead.js';
import { stageDurations } from './speed-to-lead.js';

export type NotifyDeps = Pick<
  HubDeps,
  'store' | 'clock' | 'config' | 'logger' | 'notifier' | 'testNotifier' | 'scheduler' | 'metrics'
>;

export type NotifyResult =
  | { outcome: 'sent'; channel: 'main' | 'test'; slackChannel?: string; slaDueAt?: string }
  | { outcome: 'skipped'; reason: 'test-lead' | 'not-configured' }
  /** The lead's data was removed (erased, or deleted on its platform) before its alert: none is sent. */
  | { outcome: 'skipped'; reason: 'lead-deleted' }
  /** Someone else holds (or completed) the claim: this delivery is a redelivery or a concurrent twin. */
  | { outcome: 'duplicate'; status: string };

/**
 * Another delivery of the same LeadScored holds the alert's claim and has not finished: it may be posting
 * right now, or it may have died (its claim then expires with its lease). Thrown so the platform retries
 * this delivery later, when the claim is either completed (then this one is a duplicate) or claimable
 * again. Returning "duplicate" here would lose the alert whenever the holder never finishes.
 */
export class AlertInFlightError extends Error {
  override name = 'AlertInFlightError';
}

/** Tries for the record of an alert's outcome; losing it would mean re-posting or waiting out the lease. */
const RECORD_ATTEMPTS = 4;
const RECORD_BACKOFF_MS = 100;

/** A notifier that can update its messages is a Slack app: its cards get buttons and an SLA. */
export function isSlackApp(notifier: Notifier | undefined): boolean {
  return typeof notifier?.update === 'function';
}

/**
 * Sends the speed-to-lead alert exactly once per lead, however often LeadScored is delivered:
 * 0. read the lead (the person: the event carries ids and grading only) from the store by its key; a
 *    lead whose data was removed since is skipped, with nothing written, and not retried;
 * 1. claim the lead's alert record (only one caller wins; a claim whose send failed can be won again; a
 *    claim still being sent by someone else is retried later, see AlertInFlightError);
 * 2. route it (alerts.routes, first match wins; test leads only to a test channel or nowhere);
 * 3. post the card (with Claim / Not a fit buttons in Slack app mode). A failed post completes the claim
 *    as failed and rethrows, so the platform retries and the retry can claim again;
 * 4. record it as sent with the message ref, the lead's clock (alertedAt included: that record is the
 *    lead's alertedAt stamp) and the SLA's due times (retried: once the card is out, a lost record would
 *    let a later delivery post it again), then (best effort) emit the stage metrics and set the SLA timers.
 */
export async function notifyLead(deps: NotifyDeps, scored: LeadScoredV2): Promise<NotifyResult> {
  const { leadId } = scored;
  const stored = await readEventLead(deps.store, scored);
  if (stored.deletedAt) {
    deps.logger.info('alert skipped: the lead was removed', { leadId, reason: stored.deletedReason });
    return { outcome: 'skipped', reason: 'lead-deleted' };
  }
  const lead = alertLeadFromScored(scored, stored);
  const target = pickTarget(deps, lead);
  if (target.missing) {
    // A config mistake, not this lead's: thrown before the claim, so the platform retries and then keeps
    // the event in its dead-letter queue, to be replayed once the key is set. Never a silent skip.
    deps.logger.error('no Slack channel for this alert', { leadId, missing: target.missing });
    throw new ConfigError(
      `No Slack channel for the alert of ${leadId}: a Slack app posts to the routed channel, and ${target.missing} is not set`,
    );
  }
  const claim = await deps.store.claimAlert(leadId, deps.clock.now().toISOString());
  if (!claim.claimed) {
    deps.logger.info('alert already claimed', { leadId, status: claim.status });
    if (claim.status === 'sending') {
      throw new AlertInFlightError(`the alert for ${leadId} is being sent by another delivery; retry later`);
    }
    return { outcome: 'duplicate', status: claim.status };
  }

  if (!target.notifier) {
    await deps.store.completeAlert(leadId, {
      status: 'skipped',
      at: deps.clock.now().toISOString(),
      detail: target.reason,
    });
    deps.logger.info('alert skipped', { leadId, reason: target.reason });
    return { outcome: 'skipped', reason: target.reason };
  }

  const app = isSlackApp(target.notifier);
  const message = buildAlertMessage(lead, deps.clock.now(), {
    buttons: app,
    contactDetails: target.notifier.contactDetails !== false,
    ...(target.mention ? { mention: target.mention } : {}),
  });
  let ref: SlackMessageRef | undefined;
  try {
    ref =
      (await target.notifier.post(app ? { ...message, channel: target.slackChannel } : message)) || undefined;
  } catch (error) {
    const detail = describeError(error);
    try {
      await retried(() =>
        deps.store.completeAlert(leadId, {
          status: 'failed',
          at: deps.clock.now().toISOString(),
          detail,
        }),
      );
    } catch (completeError) {
      // The post error is the one the caller must see; a claim left 'sending' expires with its lease.
      deps.logger.error('could not mark alert failed', { leadId, error: describeError(completeError) });
    }
    deps.logger.warn('alert post failed', { leadId, channel: target.channel, error: detail });
    throw error;
  }

  const alertedAt = deps.clock.now();
  const timings: StageTimings = { ...lead.timings, alertedAt: alertedAt.toISOString() };
  const sla = app && !lead.isTest && deps.scheduler ? slaFor(deps, lead, alertedAt) : undefined;
  const sent: SentAlert = {
    at: alertedAt.toISOString(),
    target: ref?.channel ?? target.channel,
    lead: {
      contactId: stored.contactId,
      platformLeadId: stored.platformLeadId,
      platformCreatedAt: stored.platformCreatedAt,
      source: lead.source,
      isTest: lead.isTest,
      grade: lead.grade,
      score: lead.score,
      ...(lead.attribution.formId ? { formId: lead.attribution.formId } : {}),
    },
    timings,
    ...(ref ? { message: { ...ref, level: 0 } } : {}),
    ...(sla ? { sla } : {}),
  };
  try {
    await retried(() => deps.store.recordAlertSent(leadId, sent));
  } catch (error) {
    // The card is out: throwing would make the retry post it again once the claim's lease runs out.
    deps.logger.error('alert posted but not recorded; its claim expires with its lease', {
      leadId,
      error: describeError(error),
    });
    return { outcome: 'sent', channel: target.channel, ...(ref ? { slackChannel: ref.channel } : {}) };
  }
  deps.logger.info('alert sent', { leadId, channel: target.channel, route: target.route });

  await afterSend(deps, lead, timings, sla);
  return {
    outcome: 'sent',
    channel: target.channel,
    ...(ref ? { slackChannel: ref.channel } : {}),
    ...(sla ? { slaDueAt: sla.dueAt[0] } : {}),
  };
}

/** The metrics and the timers: neither may undo a sent alert, so failures are logged. */
async function afterSend(
  deps: NotifyDeps,
  lead: AlertLead,
  timings: StageTimings,
  sla: AlertSla | undefined,
): Promise<void> {
  const { leadId } = lead;
  try {
    deps.metrics?.recordStages(
      lead,
      stageDurations(timings, ['received', 'captured', 'scored', 'alerted', 'createdToAlerted']),
    );
  } catch (error) {
    deps.logger.warn('could not record stage metrics', { leadId, error: describeError(error) });
  }
  if (!sla || !deps.scheduler) return;
  for (const [i, due] of sla.dueAt.entries()) {
    const level = i + 1;
    try {
      await deps.scheduler.schedule(slaScheduleName(leadId, level), new Date(due), {
        kind: 'sla',
        leadId,
        level,
      });
    } catch (error) {
      // The SLA stays pending in the store: the local runtime rebuilds its timers from there on start.
      deps.logger.error('could not schedule the SLA check', { leadId, level, error: describeError(error) });
    }
  }
}

function slaFor(deps: NotifyDeps, lead: AlertLead, now: Date): AlertSla | undefined {
  const minutes = slaMinutesFor(deps.config, lead.grade, lead.attribution.formId);
  if (minutes === undefined) return undefined;
  const dueAt = slaDueTimes(deps.config, lead.timings.platformCreatedAt, minutes, now).map((d) =>
    d.toISOString(),
  );
  return { minutes, dueAt, level: 0 };
}

type Target =
  | {
      notifier: Notifier;
      channel: 'main' | 'test';
      slackChannel?: string;
      mention?: string;
      route: string;
      missing?: undefined;
    }
  | { notifier?: undefined; reason: 'test-lead' | 'not-configured'; missing?: undefined }
  /** A Slack app with no channel for this alert: the config key that would give it one. */
  | { notifier?: undefined; missing: 'alerts.defaultChannel' | 'alerts.testChannel' };

/**
 * A Slack app posts to the routed channel; without one it has nowhere to post (the local hub refuses to
 * start so). An incoming webhook always posts to its own channel (test leads to the test webhook), with
 * the route's mention.
 */
function pickTarget(deps: NotifyDeps, lead: AlertLead): Target {
  const decision = routeLead(deps.config.alerts, lead);
  if (decision.skip) return { reason: 'test-lead' };
  const mention = decision.mention ? { mention: decision.mention } : {};
  const channel = decision.test ? 'test' : 'main';

  if (isSlackApp(deps.notifier) && decision.channel) {
    return {
      notifier: deps.notifier as Notifier,
      channel,
      slackChannel: decision.channel,
      ...mention,
      route: decision.route,
    };
  }
  if (decision.test) {
    if (deps.testNotifier) return { notifier: deps.testNotifier, channel, ...mention, route: decision.route };
    return isSlackApp(deps.notifier) ? { missing: 'alerts.testChannel' } : { reason: 'test-lead' };
  }
  if (!deps.notifier) return { reason: 'not-configured' };
  if (isSlackApp(deps.notifier)) return { missing: 'alerts.defaultChannel' };
  return { notifier: deps.notifier, channel, ...mention, route: decision.route };
}

/** Runs a store write, trying again a few times (with a short backoff) before giving up. */
async function retried(write: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= RECORD_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, RECORD_BACKOFF_MS * 2 ** (attempt - 1)));
    }
  }
}

/** Name, status and message of an error: the notifiers keep secrets (tokens, URLs) out of their messages. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 200);
  const status = (error as { status?: unknown }).status;
  return `${error.name}${typeof status === 'number' ? ` ${status}` : ''}: ${error.message}`.slice(0, 500);
}
