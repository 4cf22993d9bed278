import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceConnectionFailedV1 } from '../../events/contracts.js';
import { leadIdFor } from '../lead/identity.js';
import { InProcessBus } from '../local/in-process-bus.js';
import { startHub } from '../local/runtime.js';
import { replayReceipts } from '../pipeline/replay.js';
import type { Notifier, SlackMessage } from '../ports.js';
import {
  demoRequestForm,
  demoRequestLead,
  roofQuoteForm,
  roofQuoteLead,
  SANDBOX_FORMS,
  SANDBOX_PAGES,
  testingToolLead,
} from './meta-fixtures.js';
import { type SandboxLead, startMetaSandbox } from './meta-graph.js';
import { leadgenEntries, sendWebhook } from './meta-webhook.js';

export interface MetaDemoOptions {
  /** Where the narrative goes (default stdout). */
  write?: (line: string) => void;
  /** Pause between deliveries, so the stream plays over a few seconds (default 600 ms). */
  paceMs?: number;
  /** Post alerts to this Slack incoming webhook instead of printing them. */
  slackWebhookUrl?: string;
  /** Print the hub's JSON log lines too. */
  verbose?: boolean;
  /** More platforms, played on the same hub after Meta's stream (see platforms-demo.ts). */
  extension?: DemoExtension;
}

/** Another platform's part of the demo: its hub environment, and its stream once Meta's has played. */
export interface DemoExtension {
  env: Record<string, string>;
  run(
    hub: Awaited<ReturnType<typeof startHub>>,
    write: (line: string) => void,
    logs: readonly string[],
  ): Promise<void>;
}

export interface MetaDemoOutcome {
  leadgenId: string;
  scenario: string;
  /** Receipt status after the stream (and after the replay, for the expired-token lead). */
  receipt: string;
  stored: boolean;
  score?: number;
  grade?: string;
  alert?: string;
  isTest?: boolean;
  /** Consent records written, e.g. `marketing_email granted (platform_checkbox)`. */
  consents?: string[];
  /** Answers kept beside the canonical fields, as `label: value, value`. */
  answers?: string[];
}

export interface MetaDemoResult {
  outcomes: MetaDemoOutcome[];
  webhookAnswers: { delivery: string; status: number; body: string }[];
  connectionFailures: SourceConnectionFailedV1[];
  alertsPosted: number;
}

interface Scenario {
  lead: SandboxLead;
  label: string;
}

const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

/**
 * `npm run demo`: the hub (in memory, embedded defaults) wired to the Meta sandbox, fed a realistic
 * stream of signed webhook deliveries; prints where each lead went. Returns the same facts for tests.
 */
export async function runMetaDemo(options: MetaDemoOptions = {}): Promise<MetaDemoResult> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const pace = options.paceMs ?? 600;
  const appSecret = randomBytes(32).toString('hex');
  const verifyToken = randomBytes(16).toString('hex');
  const pageTokens = { [SANDBOX_PAGES.acme]: token('EAAGacme'), [SANDBOX_PAGES.roofing]: token('EAAGroof') };

  // Ids: 15 to 18 digits, several past 2^53 (they only survive a lossless parser).
  const maria: Scenario = {
    label: 'ad lead, marketing box ticked, multi-select answer',
    lead: demoRequestLead('900000000000000001'),
  };
  const joe: Scenario = {
    label: 'Instagram ad lead, no consent boxes',
    lead: roofQuoteLead('900000000000000002'),
  };
  const sam: Scenario = {
    label: 'ad lead, marketing box left unticked',
    lead: demoRequestLead('900000000000000003', {
      fieldData: [
        { name: 'full_name', values: ['Sam Lee'] },
        { name: 'work_email', values: ['sam.lee@northwind-logistics.com'] },
        { name: 'phone_number', values: ['+442079460958'] },
        { name: 'company_name', values: ['Northwind Logistics'] },
        { name: 'job_title', values: ['Head of Sales Operations'] },
        { name: 'country', values: ['GB'] },
        { name: 'which_products_interest_you?', values: ['crm_sync'] },
        { name: 'team_size', values: ['11-50'] },
      ],
      customDisclaimerResponses: [{ checkbox_key: 'marketing_optin', is_checked: '' }],
    }),
  };
  const tester: Scenario = {
    label: 'Lead Ads Testing Tool lead (organic, no ad)',
    lead: testingToolLead('900000000000000004'),
  };
  const expired: Scenario = {
    label: 'page token expired when it was fetched',
    lead: roofQuoteLead('900000000000000005', {
      fieldData: [
        { name: 'full_name', values: ['Ana Souza'] },
        { name: 'email', values: ['ana.souza@example.com'] },
        { name: 'phone_number', values: ['+14155550199'] },
        { name: 'zip_code', values: ['94107'] },
        { name: 'which_service_do_you_need?', values: ['new_roof'] },
      ],
    }),
  };
  const throttled: Scenario = {
    label: 'Graph throttled once (code 613, Retry-After 1 s), then served',
    lead: roofQuoteLead('900000000000000006', {
      fieldData: [
        { name: 'full_name', values: ['Lee Chen'] },
        { name: 'email', values: ['lee.chen@example.org'] },
        { name: 'zip_code', values: ['10001'] },
        { name: 'which_service_do_you_need?', values: ['roof_repair'] },
      ],
    }),
  };
  const scenarios = [maria, joe, sam, tester, expired, throttled];

  const sandbox = await startMetaSandbox({
    appSecret,
    pages: pageTokens,
    forms: [demoRequestForm, roofQuoteForm],
    leads: scenarios.map((s) => s.lead),
  });
  sandbox.fail(expired.lead.id, { kind: 'token_expired' });
  sandbox.fail(throttled.lead.id, { kind: 'throttle', code: 613, status: 429, retryAfterSeconds: 1 }, 1);

  const logs: string[] = [];
  const alerts: SlackMessage[] = [];
  // What it prints goes to the terminal: cards without contact details, as the hub's own console prints.
  const recordingNotifier = (): Notifier => ({
    contactDetails: false,
    post: async (m) => void alerts.push(m),
  });
  const hub = await startHub({
    env: {
      LEADHUB_DB: 'memory',
      LEADHUB_PEPPER: randomBytes(32).toString('hex'),
      META_APP_SECRET: appSecret,
      META_VERIFY_TOKEN: verifyToken,
      META_PAGE_TOKENS: JSON.stringify(pageTokens),
      META_GRAPH_URL: sandbox.url,
      ...(options.slackWebhookUrl ? { SLACK_WEBHOOK_URL: options.slackWebhookUrl } : {}),
      ...options.extension?.env,
    },
    port: 0,
    config: {
      meta: {
        forms: {
          [SANDBOX_FORMS.demoRequest]: {
            consents: { marketing_optin: 'marketing_email', data_processing: 'data_processing' },
          },
        },
      },
      alerts: { testLeads: 'skip' },
    },
    log: (line) => {
      logs.push(line);
      if (options.verbose) write(`  · ${line}`);
    },
    factories: options.slackWebhookUrl ? {} : { consoleNotifier: recordingNotifier },
    tuning: { batchWindowMs: 20, visibilityTimeoutMs: 500 },
  });

  const connectionFailures: SourceConnectionFailedV1[] = [];
  if (hub.deps.bus instanceof InProcessBus) {
    hub.deps.bus.addRule({
      name: 'demo-source-connection-failed',
      pattern: { source: ['leadhub'], 'detail-type': ['SourceConnectionFailed'] },
      target: {
        kind: 'function',
        invoke: async (event) => void connectionFailures.push(event.detail as SourceConnectionFailedV1),
      },
    });
  }

  const webhookAnswers: MetaDemoResult['webhookAnswers'] = [];
  try {
    write('');
    write(`LeadHub ${hub.url}  ⇄  Meta Graph API sandbox ${sandbox.url}`);
    write('');

    const challenge = String(Math.floor(Math.random() * 1e9));
    const query = new URLSearchParams({
      'hub.mode': 'subscribe',
      'hub.challenge': challenge,
      'hub.verify_token': verifyToken,
    });
    const handshake = await fetch(`${hub.url}/webhooks/meta?${query}`);
    const echoed = await handshake.text();
    write(`1. Meta verifies the callback URL: GET /webhooks/meta → ${handshake.status} "${echoed}"`);
    write('');

    write('2. Meta delivers signed leadgen notifications (ids as bare 18-digit JSON numbers):');
    const deliver = async (
      name: string,
      leads: SandboxLead[],
      extra: { forged?: boolean; feed?: boolean } = {},
    ) => {
      const entries = leadgenEntries(leads, Math.floor(Date.now() / 1000));
      if (extra.feed) {
        entries[0]?.changes.push({ field: 'feed', value: { item: 'status', verb: 'add', post_id: '1_2' } });
      }
      const answer = await sendWebhook(hub.url, entries, extra.forged ? 'not-the-app-secret' : appSecret);
      webhookAnswers.push({ delivery: name, status: answer.status, body: answer.body });
      write(`   ${name.padEnd(58)} → ${answer.status} ${answer.body}`);
      await sleep(pace);
    };
    await deliver(`lead ${maria.lead.id} (+ a 'feed' change)`, [maria.lead], { feed: true });
    await deliver(`leads ${joe.lead.id}, ${sam.lead.id} (two pages)`, [joe.lead, sam.lead]);
    await deliver(`lead ${maria.lead.id} again (Meta redelivers)`, [maria.lead]);
    await deliver(`lead ${tester.lead.id} (testing tool)`, [tester.lead]);
    await deliver(`leads ${expired.lead.id}, ${throttled.lead.id}`, [expired.lead, throttled.lead]);
    await deliver('a forged delivery (wrong app secret)', [joe.lead], { forged: true });

    await hub.drain();
    // The throttled lead waits out Retry-After inside capture; drain again once it has.
    await hub.drain();

    const outcomes = await describe(hub, scenarios, logs);
    write('');
    write('3. Where each lead went:');
    for (const o of outcomes) write(`   ${formatOutcome(o)}`);

    write('');
    write(`4. SourceConnectionFailed events: ${connectionFailures.length}`);
    for (const e of connectionFailures) {
      write(
        `   page ${e.pageId} · ${e.reason} · Graph error ${e.platformError?.code ?? '?'}/${e.platformError?.subcode ?? '-'}`,
      );
      write(`   fix: ${e.fix}`);
    }

    write('');
    write(
      '5. The page token is renewed; `npm run replay -- --source meta --status failed` sends it through again:',
    );
    sandbox.clearFailures();
    const replay = await replayReceipts(hub.deps, { source: 'meta', status: 'failed' });
    await hub.drain();
    write(`   replayed ${replay.replayed.map((k) => k.platformLeadId).join(', ') || 'nothing'}`);
    const after = await describe(hub, [expired], logs);
    for (const o of after) write(`   ${formatOutcome(o)}`);
    const final = outcomes.map((o) => after.find((a) => a.leadgenId === o.leadgenId) ?? o);
    await options.extension?.run(hub, write, logs);

    write('');
    write(
      `Graph API: ${sandbox.requests.filter((r) => r.object === 'lead').length} leads served, ` +
        `${sandbox.requests.filter((r) => r.object === 'form').length} forms served (cached after the first read), ` +
        `${sandbox.requests.filter((r) => r.status >= 400).length} error answers.`,
    );
    if (!options.slackWebhookUrl) {
      write(`Slack alerts (printed, as no SLACK_WEBHOOK_URL was given): ${alerts.length}`);
      for (const alert of alerts) write(`   • ${alert.text}`);
    }
    return { outcomes: final, webhookAnswers, connectionFailures, alertsPosted: alerts.length };
  } finally {
    await hub.stop();
    await sandbox.close();
  }
}

async function describe(
  hub: Awaited<ReturnType<typeof startHub>>,
  scenarios: readonly Scenario[],
  logs: readonly string[],
): Promise<MetaDemoOutcome[]> {
  const alertLog = new Map<string, string>();
  for (const line of logs) {
    try {
      const entry = JSON.parse(line) as {
        message?: string;
        leadId?: string;
        channel?: string;
        reason?: string;
      };
      if (!entry.leadId) continue;
      if (entry.message === 'alert sent') alertLog.set(entry.leadId, `alerted (${entry.channel} channel)`);
      if (entry.message === 'alert skipped') alertLog.set(entry.leadId, `not alerted (${entry.reason})`);
    } catch {
      // Not a log line (a printed alert).
    }
  }
  const outcomes: MetaDemoOutcome[] = [];
  for (const { lead, label } of scenarios) {
    const receipt = await hub.deps.receipts.getReceipt({ source: 'meta', platformLeadId: lead.id });
    const leadId = leadIdFor('meta', lead.id);
    const stored = await hub.deps.store.getLead(leadId);
    outcomes.push({
      leadgenId: lead.id,
      scenario: label,
      receipt: receipt
        ? `${receipt.status}${receipt.statusReason ? `: ${receipt.statusReason}` : ''}`
        : 'none',
      stored: stored !== undefined,
      ...(stored?.scoring ? { score: stored.scoring.score, grade: stored.scoring.grade } : {}),
      ...(alertLog.has(leadId) ? { alert: alertLog.get(leadId) } : {}),
      ...(stored ? { isTest: stored.isTest } : {}),
      ...(stored
        ? {
            consents: ((await hub.deps.store.getContact(stored.contactId))?.consents ?? [])
              .filter((c) => c.leadId === leadId)
              .map((c) => `${c.purpose} ${c.granted ? 'granted' : 'not granted'} (${c.method})`),
            answers: stored.answers.map((a) => `${a.label ?? a.key}: ${a.values.join(', ')}`),
          }
        : {}),
    });
  }
  return outcomes;
}

function formatOutcome(o: MetaDemoOutcome): string {
  const steps = [`receipt ${o.receipt}`];
  if (o.stored) steps.push(o.isTest ? 'stored as TEST lead' : 'stored');
  if (o.score !== undefined) steps.push(`scored ${o.score} (${o.grade})`);
  if (o.alert) steps.push(o.alert);
  const lines = [`${o.leadgenId}  ${o.scenario}`, `      ${steps.join(' → ')}`];
  if (o.answers?.length) lines.push(`      answers: ${o.answers.join(' · ')}`);
  if (o.consents?.length) lines.push(`      consent: ${o.consents.join(' · ')}`);
  return lines.join('\n');
}
