/**
 * `npm run demo`: LeadHub in memory with the ad-platform sandboxes wired in. Plays realistic streams of
 * signed webhook deliveries from Meta (a duplicate, a test lead, consent boxes ticked and unticked, a
 * multi-select answer, an expired token, a throttled fetch), then LinkedIn, TikTok and Google Ads (one
 * person on two platforms, a deletion, a path token, a wrong key...) and prints where each lead went.
 * `-- --verbose` shows the hub's log.
 */
import { runDemo } from '../lib/sandbox/platforms-demo.js';

const verbose = process.argv.includes('--verbose');
await runDemo({
  verbose,
  ...(process.env.SLACK_WEBHOOK_URL ? { slackWebhookUrl: process.env.SLACK_WEBHOOK_URL } : {}),
});
