import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { InvalidInteractionError, parseInteraction } from '../adapters/slack/interaction.js';
import { verifySlackRequest } from '../adapters/slack/signature.js';
import { ALERT_ACTIONS } from '../alerts/actions.js';
import type { HubDeps } from '../deps.js';
import { header, rawBody } from '../http/raw-body.js';
import { errorResponse, type HttpResult } from '../http/responses.js';
import { decideLead } from '../pipeline/decide.js';
import { describeError } from '../pipeline/notify.js';

/**
 * A click's function answers within its 10 s Lambda timeout, so its Slack calls get less room than a
 * notifier's 25 s: a rate limit it cannot wait out fails that update instead of the whole invocation.
 */
export const SLACK_INTERACTION_BUDGET_MS = 8_000;

/** Slack wants a 200 within 3 s; the body of a block_actions answer is ignored. */
const ACK: HttpResult = { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: '' };

/**
 * POST /slack/actions, the Slack app's interactivity request URL. Verifies the signature over the raw
 * body (401 and nothing changed otherwise), then hands a Claim or Not a fit to decideLead. Everything it
 * does fits in Slack's 3 seconds: one conditional write, a few Slack calls, one PutEvents.
 */
export function createSlackHttpHandler(deps: HubDeps) {
  return async function slackHttpHandler(event: APIGatewayProxyEventV2): Promise<HttpResult> {
    if (event.routeKey !== 'POST /slack/actions') {
      return errorResponse(404, 'not_found', `No route ${event.routeKey}`);
    }
    const secret = await deps.secrets.get('SLACK_SIGNING_SECRET');
    if (!secret) {
      deps.logger.warn('Slack interaction refused: SLACK_SIGNING_SECRET is not set');
      return errorResponse(401, 'unauthorized', 'Slack request signing is not configured');
    }
    const body = rawBody(event);
    const check = verifySlackRequest({
      secret,
      timestamp: header(event, 'x-slack-request-timestamp'),
      signature: header(event, 'x-slack-signature'),
      body,
      now: deps.clock.now(),
    });
    if (!check.ok) {
      deps.logger.warn('Slack interaction refused', { reason: check.reason });
      return errorResponse(401, check.reason, 'The Slack request signature is missing, stale or wrong');
    }

    let interaction: ReturnType<typeof parseInteraction>;
    try {
      interaction = parseInteraction(body);
    } catch (error) {
      if (error instanceof InvalidInteractionError)
        return errorResponse(400, 'invalid_payload', error.message);
      throw error;
    }
    if (interaction.kind === 'ignored') {
      deps.logger.debug('Slack interaction ignored', { type: interaction.type });
      return ACK;
    }

    try {
      const result = await decideLead(deps, {
        leadId: interaction.leadId,
        outcome: interaction.action === ALERT_ACTIONS.claim ? 'claimed' : 'disqualified',
        userId: interaction.userId,
        ...(interaction.channel ? { channel: interaction.channel } : {}),
        ...(interaction.responseUrl ? { responseUrl: interaction.responseUrl } : {}),
      });
      deps.logger.info('Slack action handled', { leadId: interaction.leadId, ...result });
      return ACK;
    } catch (error) {
      // Slack shows the rep an error; clicking again repeats what did not finish.
      deps.logger.error('Slack action failed', { leadId: interaction.leadId, error: describeError(error) });
      return errorResponse(500, 'internal_error', 'The action could not be completed; try again');
    }
  };
}
