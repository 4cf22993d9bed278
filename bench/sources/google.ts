import { randomBytes } from 'node:crypto';
import { googleLead, googleWebhookBody } from '../../lib/sandbox/google-webhook.js';
import { type BenchSource, benchPhone, leadToken } from './types.js';

const WEBHOOK_KEY = 'bench-google-webhook-key';

/** Lead ids: opaque base64url-ish strings like Google's, unique across the whole run. */
const leadIdPrefix = `CjwKCAiA${randomBytes(9).toString('base64url')}`;
let nextLead = 1;

/**
 * Google Ads lead forms: the `WebhookLead` JSON (answers inline in `user_column_data`, int64 ids as bare
 * numbers) to POST /webhooks/google. Google signs nothing: the form's webhook key comes back in the body
 * as `google_key`, which is what the hub checks.
 */
export const googleSource: BenchSource = {
  name: 'google',
  env: { GOOGLE_WEBHOOK_KEY: WEBHOOK_KEY },
  config: {},
  acceptedStatus: 200,
  request(seq, run) {
    const token = leadToken(run, seq);
    const body = googleWebhookBody(
      googleLead(`${leadIdPrefix}-${nextLead++}`, {
        user_column_data: [
          { column_name: 'Full Name', string_value: `Bench ${token}`, column_id: 'FULL_NAME' },
          { column_name: 'User Email', string_value: `${token}@acme-robotics.com`, column_id: 'EMAIL' },
          { column_name: 'User Phone', string_value: benchPhone(seq), column_id: 'PHONE_NUMBER' },
          { column_name: 'Company Name', string_value: 'Acme Robotics', column_id: 'COMPANY_NAME' },
          { column_name: 'Job Title', string_value: 'VP Sales', column_id: 'JOB_TITLE' },
          { column_name: 'Postal Code', string_value: '94043', column_id: 'POSTAL_CODE' },
          {
            column_name: 'How many sales reps do you have?',
            string_value: '11-50',
            column_id: 'sales_team_size',
          },
        ],
      }),
      WEBHOOK_KEY,
    );
    return {
      method: 'POST',
      path: '/webhooks/google',
      headers: { 'content-type': 'application/json', 'user-agent': 'Google-Ads-Lead-Forms' },
      body,
      token,
    };
  },
};
