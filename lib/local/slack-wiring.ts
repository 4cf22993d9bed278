import type { Env } from '../config.js';
import type { HubDeps } from '../deps.js';
import type { LeadStore, Notifier, ScheduledPayload } from '../ports.js';
import type { HttpHandler } from './http-server.js';
import type { LocalLog } from './line-logger.js';
import { TimerScheduler } from './timer-scheduler.js';

export type SlaEscalatorHandler = (event: unknown) => Promise<unknown>;

/** The Slack app's part of the local runtime's factories (each optional: tests replace what they need). */
export interface SlackFactories {
  /** Slack app mode (SLACK_BOT_TOKEN): the Web API notifier. */
  slackAppNotifier?(options: { token: string; baseUrl: string; logger: LocalLog }): Notifier;
  slackHttp?(deps: HubDeps): HttpHandler;
  slaEscalator?(deps: HubDeps): SlaEscalatorHandler;
}

export interface LocalSlack {
  mode: 'app' | 'webhook' | 'console';
  /** Set in app mode only. */
  appNotifier?: Notifier;
  http(deps: HubDeps): HttpHandler;
  /**
   * App mode: SLA timers that run the escalator, rebuilt from the store's pending SLAs (those already due
   * fire at once). Returns the scheduler, or undefined when there is no Slack app (no SLA without buttons).
   */
  startScheduler(deps: HubDeps): Promise<TimerScheduler | undefined>;
}

/** Builds the Slack app pieces of the local runtime from the environment, loading real code lazily. */
export async function loadLocalSlack(
  env: Env,
  overrides: SlackFactories,
  logger: LocalLog,
): Promise<LocalSlack> {
  const token = env.SLACK_BOT_TOKEN;
  let appNotifier: Notifier | undefined;
  if (token) {
    const make =
      overrides.slackAppNotifier ??
      (await (async () => {
        const [{ createSlackWebApi }, { createSlackAppNotifier }] = await Promise.all([
          import('../adapters/slack/web-api.js'),
          import('../adapters/slack/app-notifier.js'),
        ]);
        return (o: { token: string; baseUrl: string; logger: LocalLog }) =>
          createSlackAppNotifier(
            createSlackWebApi({
              token: o.token,
              baseUrl: o.baseUrl,
              onPermanentError: (info) => o.logger.error('Slack rejected a call', info),
            }),
          );
      })());
    appNotifier = make({ token, baseUrl: env.SLACK_API_URL, logger });
    if (!env.SLACK_SIGNING_SECRET) {
      logger.warn(
        'SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: Claim buttons will be refused (401)',
      );
    }
  }
  const slackHttp = overrides.slackHttp ?? (await import('../handlers/http-slack.js')).createSlackHttpHandler;
  const escalator =
    overrides.slaEscalator ?? (await import('../handlers/sla-escalator.js')).createSlaEscalator;

  return {
    mode: appNotifier ? 'app' : env.SLACK_WEBHOOK_URL ? 'webhook' : 'console',
    ...(appNotifier ? { appNotifier } : {}),
    http: (deps) => slackHttp(deps),
    async startScheduler(deps) {
      if (!appNotifier) return undefined;
      let handler: SlaEscalatorHandler | undefined;
      const scheduler = new TimerScheduler({
        fire: async (payload: ScheduledPayload) => handler?.(payload),
        logger,
      });
      deps.scheduler = scheduler;
      handler = escalator(deps);
      await rebuildTimers(deps.store, scheduler, logger);
      return scheduler;
    },
  };
}

/** Timers survive nothing: every SLA still pending in the store gets its timer back. */
export async function rebuildTimers(
  store: Pick<LeadStore, 'listPendingSlas'>,
  scheduler: TimerScheduler,
  logger: LocalLog,
): Promise<number> {
  const { slaScheduleName } = await import('../alerts/sla.js');
  const pending = await store.listPendingSlas();
  for (const p of pending) {
    await scheduler.schedule(slaScheduleName(p.leadId, p.level), new Date(p.dueAt), {
      kind: 'sla',
      leadId: p.leadId,
      level: p.level,
    });
  }
  if (pending.length > 0) logger.info('SLA timers rebuilt from the store', { count: pending.length });
  return pending.length;
}
