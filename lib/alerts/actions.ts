/** Action ids of the alert card's buttons; each button's value is the lead id. */
export const ALERT_ACTIONS = {
  claim: 'leadhub_claim',
  notAFit: 'leadhub_not_a_fit',
} as const;

export type AlertActionId = (typeof ALERT_ACTIONS)[keyof typeof ALERT_ACTIONS];

/** A Slack user id as Slack sends it (U… or W… for Enterprise Grid). */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;
