import { ALERT_ACTIONS, type AlertActionId, SLACK_USER_ID } from '../../alerts/actions.js';
import * as z from '../../zod.js';

/** The part of a block_actions payload LeadHub reads; Slack sends much more, which is ignored. */
const BlockActionsSchema = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: z.string().check(z.regex(SLACK_USER_ID)) }),
  channel: z.optional(z.looseObject({ id: z.string().check(z.minLength(1)) })),
  container: z.optional(
    z.looseObject({ channel_id: z.optional(z.string()), message_ts: z.optional(z.string()) }),
  ),
  message: z.optional(z.looseObject({ ts: z.string().check(z.minLength(1)) })),
  response_url: z.optional(z.string()),
  actions: z
    .array(z.looseObject({ action_id: z.string(), value: z.optional(z.string()) }))
    .check(z.minLength(1)),
});

export type SlackInteraction =
  | {
      kind: 'alert-action';
      action: AlertActionId;
      leadId: string;
      userId: string;
      channel?: string;
      messageTs?: string;
      responseUrl?: string;
    }
  /** A payload type or action this app does not handle: acknowledged and ignored. */
  | { kind: 'ignored'; type: string };

export class InvalidInteractionError extends Error {
  override name = 'InvalidInteractionError';
}

const LEAD_ID = /^[A-Za-z0-9_-]{1,64}$/;
const OURS = new Set<string>(Object.values(ALERT_ACTIONS));

/** Reads an interaction request body (`application/x-www-form-urlencoded`, one field `payload` of JSON). */
export function parseInteraction(body: Buffer): SlackInteraction {
  const payloadText = new URLSearchParams(body.toString('utf8')).get('payload');
  if (!payloadText) throw new InvalidInteractionError('body has no payload field');
  let payload: unknown;
  try {
    payload = JSON.parse(payloadText);
  } catch {
    throw new InvalidInteractionError('payload is not JSON');
  }
  const type = (payload as { type?: unknown } | null)?.type;
  if (type !== 'block_actions') return { kind: 'ignored', type: String(type).slice(0, 40) };

  const parsed = BlockActionsSchema.safeParse(payload);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((i) => i.path.map(String).join('.') || '(root)');
    throw new InvalidInteractionError(`block_actions payload is malformed at ${paths.join(', ')}`);
  }
  const p = parsed.data;
  const action = p.actions.find((a) => OURS.has(a.action_id));
  if (!action) return { kind: 'ignored', type: 'block_actions' };
  if (!action.value || !LEAD_ID.test(action.value)) {
    throw new InvalidInteractionError('the button carries no valid lead id');
  }
  const channel = p.channel?.id ?? p.container?.channel_id;
  const messageTs = p.message?.ts ?? p.container?.message_ts;
  return {
    kind: 'alert-action',
    action: action.action_id as AlertActionId,
    leadId: action.value,
    userId: p.user.id,
    ...(channel ? { channel } : {}),
    ...(messageTs ? { messageTs } : {}),
    ...(p.response_url ? { responseUrl: p.response_url } : {}),
  };
}
