import type { EphemeralTarget, Notifier, SlackMessage, SlackMessageRef } from '../../ports.js';
import { SlackApiError, type SlackWebApi } from './web-api.js';

/**
 * The Slack app notifier (bot token): posts to the message's channel through the Web API, returns where
 * the message landed, updates it in place and answers a click with an ephemeral reply.
 */
export function createSlackAppNotifier(api: SlackWebApi): Notifier & Required<Pick<Notifier, 'update'>> {
  return {
    async post(message: SlackMessage): Promise<SlackMessageRef> {
      if (!message.channel) {
        // Routing decides the channel; reaching here without one is a wiring bug, not a Slack error.
        throw new SlackApiError(
          'No Slack channel for this alert: set alerts.defaultChannel',
          'chat.postMessage',
          'no_channel',
          undefined,
          false,
        );
      }
      return api.postMessage({ ...message, channel: message.channel });
    },

    async update(ref, message) {
      await api.update(ref, message);
    },

    async replyEphemeral(to: EphemeralTarget, text: string) {
      if (to.responseUrl) {
        try {
          await api.respond(to.responseUrl, { response_type: 'ephemeral', replace_original: false, text });
          return;
        } catch (error) {
          // An expired or foreign response_url: the channel route below still reaches the user.
          if (!to.channel) throw error;
        }
      }
      if (!to.channel) throw new Error('An ephemeral reply needs a response_url or a channel');
      await api.postEphemeral(to.channel, to.userId, text);
    },
  };
}
