import type { HubConfig } from '../config.js';
import type { RunningHub } from './runtime.js';

/** What `npm start` prints once the hub is up: where it listens, the forms, and commands to try. */
export function banner(hub: Pick<RunningHub, 'url' | 'database' | 'pepperOrigin' | 'deps'>): string {
  const { url, deps } = hub;
  const forms = Object.entries(deps.config.forms);
  const lines = [
    '',
    `LeadHub is running at ${url}`,
    `  database: ${hub.database}`,
    `  Slack:    ${slackMode(deps.env)}`,
    `  admin:    ${deps.env.LEADHUB_ADMIN_TOKEN ? 'bearer token from LEADHUB_ADMIN_TOKEN' : 'disabled (set LEADHUB_ADMIN_TOKEN)'}`,
    '',
  ];
  if (forms.length === 0) {
    lines.push(`No forms configured: add some to ${deps.env.LEADHUB_CONFIG} (see the README).`);
  } else {
    lines.push('Forms:');
    for (const [id, form] of forms) {
      lines.push(
        `  POST ${url}/forms/${id}${form.name ? `  (${form.name})` : ''}${form.isTest ? '  [test]' : ''}`,
      );
    }
    const [firstId, firstForm] = forms[0] as [string, HubConfig['forms'][string]];
    lines.push('', 'Try it:', `  ${curlExample(url, firstId, firstForm)}`);
  }
  lines.push(`  curl ${url}/health`);
  if (deps.env.LEADHUB_ADMIN_TOKEN) {
    lines.push(`  curl -H "authorization: Bearer $LEADHUB_ADMIN_TOKEN" ${url}/api/leads`);
  }
  lines.push('', 'Ctrl-C stops it (in-flight work is finished first).', '');
  return lines.join('\n');
}

/** A sample post that satisfies the form's required fields and consents. */
function curlExample(url: string, formId: string, form: HubConfig['forms'][string]): string {
  const posted = (canonical: string) =>
    Object.entries(form.fields).find(([, target]) => target === canonical)?.[0] ?? canonical;
  const samples: Record<string, string> = {
    email: 'jane@example.com',
    phone: '+14155550100',
    fullName: 'Jane Doe',
    firstName: 'Jane',
    lastName: 'Doe',
    company: 'Example Inc',
    jobTitle: 'Head of Growth',
    country: 'US',
    city: 'San Francisco',
    postalCode: '94105',
  };
  const body: Record<string, unknown> = {};
  for (const field of new Set(['email', ...form.required])) body[posted(field)] = samples[field] ?? 'example';
  for (const consent of form.consents) if (consent.required) body[consent.field] = true;
  return `curl -X POST ${url}/forms/${formId} -H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
}

function slackMode(env: RunningHub['deps']['env']): string {
  if (env.SLACK_BOT_TOKEN) return 'Slack app (buttons, SLA escalation)';
  if (env.SLACK_WEBHOOK_URL) return 'incoming webhook';
  return 'alerts printed here (set SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL to post them)';
}
