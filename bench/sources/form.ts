import { createHmac } from 'node:crypto';
import { type BenchSource, leadToken } from './types.js';

export const BENCH_FORM_SECRET = 'bench-form-secret';
export const BENCH_FORM_ID = 'bench';

/**
 * Web forms: a server-to-server JSON post to POST /forms/{formId}, signed with X-LeadHub-Signature
 * (HMAC-SHA256 of the raw body with LEADHUB_FORM_SECRET). Each lead has its own email, phone and
 * submission id, so no two requests dedupe into one lead.
 */
export const formSource: BenchSource = {
  name: 'form',
  env: { LEADHUB_FORM_SECRET: BENCH_FORM_SECRET },
  config: {
    forms: {
      [BENCH_FORM_ID]: {
        name: 'Bench contact form',
        fields: {
          email: 'email',
          name: 'fullName',
          phone: 'phone',
          company: 'company',
          job_title: 'jobTitle',
        },
        required: ['email'],
        consents: [
          {
            field: 'marketing_opt_in',
            purpose: 'marketing_email',
            text: 'Yes, send me product news and offers by email. I can unsubscribe at any time.',
            version: '2026-11',
          },
          {
            field: 'privacy_accepted',
            purpose: 'privacy_policy',
            text: 'I have read the privacy notice and agree that my details are used to answer my request.',
            version: '2026-11',
            required: true,
          },
        ],
        honeypot: 'website',
        requireSignature: true,
      },
    },
  },
  acceptedStatus: 202,
  request(seq, run) {
    const token = leadToken(run, seq);
    const body = JSON.stringify({
      submission_id: token,
      email: `${token}@acme-robotics.com`,
      name: `Bench ${token}`,
      // 555-01xx numbers are reserved for fiction; vary the line number so phone keys stay unique.
      phone: `+1 415 555 ${String(1000 + (seq % 9000)).padStart(4, '0')}`,
      company: 'Acme Robotics',
      job_title: 'VP Sales',
      team_size: '51-200',
      message: 'We would like a demo for our sales team next week.',
      privacy_accepted: 'on',
      marketing_opt_in: 'on',
      utm_source: 'google',
      utm_medium: 'cpc',
      utm_campaign: 'bench',
    });
    const signature = createHmac('sha256', BENCH_FORM_SECRET).update(body).digest('hex');
    return {
      method: 'POST',
      path: `/forms/${BENCH_FORM_ID}`,
      headers: { 'content-type': 'application/json', 'x-leadhub-signature': `sha256=${signature}` },
      body,
      token,
    };
  },
};
