import type { LeadScoredV1 } from '../../events/contracts.js';
import type { HubDeps } from '../deps.js';
import type { Notifier } from '../ports.js';
import { buildAlertMessage } from './alert-message.js';

export type NotifyDeps = Pick<HubDeps, 'store' | 'clock' | 'config' | 'logger' | 'notifier' | 'testNotifier'>;

export type NotifyResult =
  | { outcome: 'sent'; channel: 'main' | 'test' }
  | { outcome: 'skipped'; reason: 'test-lead' | 'not-configured' }
  /** Someone else holds (or completed) the claim: this delivery is a redelivery or a concurrent twin. */
  | { outcome: 'duplicate'; status: string };

/**
 * Sends the speed-to-lead alert exactly once per lead, however often LeadScored is delivered:
 * 1. claim the lead's alert record (only one caller wins; a claim whose send failed can be won again);
 * 2. pick the channel: test leads never reach the main channel (test channel when configured, else
 *    skipped), and with no notifier configured the alert is skipped;
 * 3. post, then complete the claim as sent. A failed post completes it as failed and rethrows, so the
 *    platform retries and the retry can claim again.
 */
export async function notifyLead(deps: NotifyDeps, lead: LeadScoredV1): Promise<NotifyResult> {
  const { leadId } = lead;
  const claim = await deps.store.claimAlert(leadId, deps.clock.now().toISOString());
  if (!claim.claimed) {
    deps.logger.info('alert already claimed', { leadId, status: claim.status });
    return { outcome: 'duplicate', status: claim.status };
  }

  const target = pickTarget(deps, lead);
  if (!target.notifier) {
    await deps.store.completeAlert(leadId, {
      status: 'skipped',
      at: deps.clock.now().toISOString(),
      detail: target.reason,
    });
    deps.logger.info('alert skipped', { leadId, reason: target.reason });
    return { outcome: 'skipped', reason: target.reason };
  }

  const message = buildAlertMessage(lead, deps.clock.now());
  try {
    await target.notifier.post(message);
  } catch (error) {
    const detail = describeError(error);
    try {
      await deps.store.completeAlert(leadId, {
        status: 'failed',
        at: deps.clock.now().toISOString(),
        detail,
      });
    } catch (completeError) {
      // The post error is the one the caller must see; a claim left 'sending' expires with its lease.
      deps.logger.error('could not mark alert failed', { leadId, error: describeError(completeError) });
    }
    deps.logger.warn('alert post failed', { leadId, channel: target.channel, error: detail });
    throw error;
  }
  await deps.store.completeAlert(leadId, {
    status: 'sent',
    at: deps.clock.now().toISOString(),
    detail: target.channel,
  });
  deps.logger.info('alert sent', { leadId, channel: target.channel });
  return { outcome: 'sent', channel: target.channel };
}

type Target =
  | { notifier: Notifier; channel: 'main' | 'test' }
  | { notifier?: undefined; reason: 'test-lead' | 'not-configured' };

function pickTarget(deps: NotifyDeps, lead: LeadScoredV1): Target {
  if (lead.isTest) {
    if (deps.config.alerts.testLeads === 'test-channel' && deps.testNotifier) {
      return { notifier: deps.testNotifier, channel: 'test' };
    }
    return { reason: 'test-lead' };
  }
  if (deps.notifier) return { notifier: deps.notifier, channel: 'main' };
  return { reason: 'not-configured' };
}

/** Name, status and message of an error: the notifiers keep secrets (webhook URLs) out of their messages. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 200);
  const status = (error as { status?: unknown }).status;
  return `${error.name}${typeof status === 'number' ? ` ${status}` : ''}: ${error.message}`.slice(0, 500);
}
