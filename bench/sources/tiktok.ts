import {
  signTikTokBody,
  TIKTOK_ADVERTISER_ID,
  tiktokLead,
  tiktokWebhookBody,
} from '../../lib/sandbox/tiktok-webhook.js';
import { type BenchSource, benchPhone, leadToken } from './types.js';

const PATH_TOKEN = 'bench-tiktok-path-token-7c1d9e4f';
const APP_SECRET = 'bench-tiktok-app-secret';

/** Lead ids: 19 digits like TikTok's, unique across the whole run. */
let nextLeadId = 7_000_000_000_000_000_000n + BigInt(Date.now()) * 1000n;

/**
 * TikTok Instant Forms: a lead delivery (`object` 1, one `entry`, ids as bare 19-digit JSON numbers) to
 * the unguessable POST /webhooks/tiktok/{token}, signed with X-Open-Signature, from the one advertiser on
 * TIKTOK_ADVERTISER_IDS. The answers are inline, so nothing is fetched afterwards.
 */
export const tiktokSource: BenchSource = {
  name: 'tiktok',
  env: {
    TIKTOK_WEBHOOK_TOKEN: PATH_TOKEN,
    TIKTOK_APP_SECRET: APP_SECRET,
    TIKTOK_ADVERTISER_IDS: TIKTOK_ADVERTISER_ID,
  },
  config: {},
  acceptedStatus: 200,
  request(seq, run) {
    const token = leadToken(run, seq);
    const body = tiktokWebhookBody([
      tiktokLead(String(nextLeadId++), {
        changes: [
          { field: 'name', value: `Bench ${token}` },
          { field: 'email', value: `${token}@acme-robotics.com` },
          { field: 'phone_number', value: benchPhone(seq) },
          { field: 'zip_code', value: '94110' },
          { field: 'What do you need?', value: 'Roof repair' },
        ],
      }),
    ]);
    return {
      method: 'POST',
      path: `/webhooks/tiktok/${PATH_TOKEN}`,
      headers: {
        'content-type': 'application/json',
        'x-open-signature': signTikTokBody(body, APP_SECRET),
      },
      body,
      token,
    };
  },
};
