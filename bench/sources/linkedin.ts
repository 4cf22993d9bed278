import { randomUUID } from 'node:crypto';
import { type LinkedInSandbox, startLinkedInSandbox } from '../../lib/sandbox/linkedin-api.js';
import { linkedInDemoForm, linkedInResponse } from '../../lib/sandbox/linkedin-fixtures.js';
import {
  leadNotification,
  linkedInWebhookBody,
  signLinkedInBody,
} from '../../lib/sandbox/linkedin-webhook.js';
import { type BenchSource, benchPhone, leadToken } from './types.js';

const CLIENT_SECRET = 'bench-linkedin-client-secret';
const ACCESS_TOKEN = 'AQV-bench-member-access-token';

let sandbox: LinkedInSandbox | undefined;
/**
 * Response ids in LinkedIn's shape (a UUID and a sequence number), unique across the whole run: the
 * sandbox comes and goes per phase, the prefix and counter do not.
 */
const responsePrefix = randomUUID();
let nextResponse = 1;

/**
 * LinkedIn Lead Gen Forms: a `LEAD_ACTION` CREATED notification (one object, as LinkedIn documents it)
 * signed with X-LI-Signature to POST /webhooks/linkedin. It carries ids only; the capture worker reads
 * the lead form response and its (cached, versioned) form from the LinkedIn API, here lib/sandbox's
 * stand-in on 127.0.0.1, which holds a new response (its own name, email and phone) for every request.
 */
export const linkedinSource: BenchSource = {
  name: 'linkedin',
  env: {
    LINKEDIN_CLIENT_SECRET: CLIENT_SECRET,
    LINKEDIN_ACCESS_TOKEN: ACCESS_TOKEN,
  },
  config: {},
  acceptedStatus: 200,
  async setup() {
    const started = await startLinkedInSandbox({ tokens: [ACCESS_TOKEN], forms: [linkedInDemoForm] });
    sandbox = started;
    return {
      env: { LINKEDIN_API_URL: started.url },
      close: async () => {
        if (sandbox === started) sandbox = undefined;
        await started.close();
      },
    };
  },
  platformCalls: () => sandbox?.requests.length ?? 0,
  request(seq, run) {
    if (!sandbox) throw new Error('the LinkedIn sandbox is not started');
    const token = leadToken(run, seq);
    const response = linkedInResponse(`${responsePrefix}-${nextResponse++}`, {
      firstName: 'Bench',
      lastName: token,
      email: `${token}@acme-robotics.com`,
      phone: benchPhone(seq),
      company: 'Acme Robotics',
      jobTitle: 'VP Sales',
      seniority: 'VP',
      country: 'US',
      interests: [0, 1],
      consents: { 0: true, 1: true },
    });
    sandbox.addResponse(response);
    const body = linkedInWebhookBody([leadNotification(response)]);
    return {
      method: 'POST',
      path: '/webhooks/linkedin',
      headers: {
        'content-type': 'application/json',
        'x-li-signature': signLinkedInBody(body, CLIENT_SECRET),
      },
      body,
      token,
    };
  },
};
