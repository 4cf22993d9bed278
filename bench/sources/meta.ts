import { demoRequestForm, demoRequestLead, SANDBOX_PAGES } from '../../lib/sandbox/meta-fixtures.js';
import { type MetaSandbox, startMetaSandbox } from '../../lib/sandbox/meta-graph.js';
import { leadgenEntries, metaWebhookBody, signMetaBody } from '../../lib/sandbox/meta-webhook.js';
import { type BenchSource, benchPhone, leadToken } from './types.js';

const APP_SECRET = 'bench-meta-app-secret';
const PAGE_TOKEN = 'bench-page-access-token';

let sandbox: MetaSandbox | undefined;
/** Leadgen ids: digits, unique across the whole run (sandboxes come and go per phase). */
let nextLeadgenId = BigInt(Date.now()) * 1000n;

/**
 * Meta Lead Ads: a signed `leadgen` webhook (X-Hub-Signature-256 over the exact body, ids as bare JSON
 * numbers as Meta sends them) to POST /webhooks/meta. The webhook carries ids only; the capture worker
 * fetches the lead and its form from the Graph API, here lib/sandbox's stand-in on 127.0.0.1, which
 * serves a new lead (its own email, phone and name) for every request.
 */
export const metaSource: BenchSource = {
  name: 'meta',
  env: {
    META_APP_SECRET: APP_SECRET,
    META_VERIFY_TOKEN: 'bench-verify-token',
    META_PAGE_ACCESS_TOKEN: PAGE_TOKEN,
  },
  config: {},
  acceptedStatus: 200,
  async setup() {
    const started = await startMetaSandbox({
      appSecret: APP_SECRET,
      pages: { [SANDBOX_PAGES.acme]: PAGE_TOKEN },
      forms: [demoRequestForm],
    });
    sandbox = started;
    return {
      env: { META_GRAPH_URL: started.url },
      close: async () => {
        if (sandbox === started) sandbox = undefined;
        await started.close();
      },
    };
  },
  platformCalls: () => sandbox?.requests.length ?? 0,
  request(seq, run) {
    if (!sandbox) throw new Error('the Meta sandbox is not started');
    const token = leadToken(run, seq);
    const id = String(nextLeadgenId++);
    const lead = demoRequestLead(id, {
      createdTime: new Date().toISOString(),
      fieldData: [
        { name: 'full_name', values: [`Bench ${token}`] },
        { name: 'work_email', values: [`${token}@acme-robotics.com`] },
        { name: 'phone_number', values: [benchPhone(seq)] },
        { name: 'company_name', values: ['Acme Robotics'] },
        { name: 'job_title', values: ['VP Sales'] },
        { name: 'country', values: ['US'] },
        { name: 'which_products_interest_you?', values: ['lead_routing', 'slack_alerts'] },
        { name: 'team_size', values: ['51-200'] },
      ],
    });
    sandbox.addLead(lead);
    const body = metaWebhookBody(leadgenEntries([lead]));
    return {
      method: 'POST',
      path: '/webhooks/meta',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'facebookexternalua',
        'x-hub-signature-256': signMetaBody(body, APP_SECRET),
      },
      body,
      token,
    };
  },
};
