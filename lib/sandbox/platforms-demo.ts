import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LeadDeletedV1 } from '../../events/contracts.js';
import { leadIdFor } from '../lead/identity.js';
import type { Source } from '../lead/model.js';
import { InProcessBus } from '../local/in-process-bus.js';
import type { startHub } from '../local/runtime.js';
import { type DemoExtension, type MetaDemoOptions, type MetaDemoResult, runMetaDemo } from './demo.js';
import { googleLead, googleTestLead, sendGoogleWebhook } from './google-webhook.js';
import {
  type LinkedInSandboxRequest,
  type SandboxLinkedInResponse,
  startLinkedInSandbox,
} from './linkedin-api.js';
import { linkedInDemoForm, linkedInResponse } from './linkedin-fixtures.js';
import { leadNotification, sendLinkedInWebhook } from './linkedin-webhook.js';
import { type SandboxTikTokLead, sendTikTokWebhook, tiktokLead, tiktokMockLead } from './tiktok-webhook.js';

type Hub = Awaited<ReturnType<typeof startHub>>;

export interface PlatformOutcome {
  source: Source;
  platformLeadId: string;
  scenario: string;
  /** Receipt status after the stream. */
  receipt: string;
  stored: boolean;
  isTest?: boolean;
  score?: number;
  grade?: string;
  alert?: string;
  /** TikTok: the checks the delivery passed. LinkedIn: the signature reading it matched. */
  trust?: string;
}

export interface PlatformsDemoResult {
  answers: { platform: string; delivery: string; status: number; body: string }[];
  outcomes: PlatformOutcome[];
  deletions: LeadDeletedV1[];
  /** The person who submitted on Meta and on LinkedIn: one contact, two leads. */
  crossPlatform?: { contactId: string; leadCount: number; sources: string[] };
  /** Lead form responses and forms LinkedIn's sandbox served. */
  linkedInReads: { leads: number; forms: number };
}

export type DemoResult = MetaDemoResult & { platforms: PlatformsDemoResult };

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * `npm run demo` with every platform: Meta's stream first, then on the same hub LinkedIn (challenge, both
 * signature readings, a test lead, a deletion after capture and one before), TikTok (path token, signed
 * and unsigned deliveries, a redelivery, another subscription's event, a mock lead) and Google Ads (a lead,
 * the form's test data, a wrong key, a redelivery). Maria Garcia submits on Meta and on LinkedIn and ends
 * up as one contact with two leads.
 */
export async function runDemo(options: MetaDemoOptions = {}): Promise<DemoResult> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const pace = options.paceMs ?? 600;
  const linkedInSecret = hex(16);
  const linkedInToken = `AQV${randomBytes(24).toString('base64url')}`;
  const tiktokToken = randomBytes(24).toString('base64url');
  const tiktokSecret = hex(20);
  const googleKey = hex(16);
  const linkedIn = await startLinkedInSandbox({ tokens: [linkedInToken], forms: [linkedInDemoForm] });

  let platforms: PlatformsDemoResult | undefined;
  const extension: DemoExtension = {
    env: {
      LINKEDIN_CLIENT_SECRET: linkedInSecret,
      LINKEDIN_ACCESS_TOKEN: linkedInToken,
      LINKEDIN_API_URL: linkedIn.url,
      TIKTOK_WEBHOOK_TOKEN: tiktokToken,
      TIKTOK_APP_SECRET: tiktokSecret,
      GOOGLE_WEBHOOK_KEY: googleKey,
    },
    run: async (hub, _write, logs) => {
      platforms = await playPlatforms(hub, logs, {
        write,
        pace,
        linkedIn: { secret: linkedInSecret, addResponse: linkedIn.addResponse, requests: linkedIn.requests },
        tiktok: { token: tiktokToken, secret: tiktokSecret },
        googleKey,
      });
    },
  };
  try {
    const meta = await runMetaDemo({ ...options, extension });
    if (!platforms) throw new Error('the platforms part of the demo did not run');
    return { ...meta, platforms };
  } finally {
    await linkedIn.close();
  }
}

interface PlayOptions {
  write: (line: string) => void;
  pace: number;
  linkedIn: {
    secret: string;
    addResponse: (r: SandboxLinkedInResponse) => void;
    requests: readonly LinkedInSandboxRequest[];
  };
  tiktok: { token: string; secret: string };
  googleKey: string;
}

interface Scenario {
  source: Source;
  platformLeadId: string;
  label: string;
}

async function playPlatforms(
  hub: Hub,
  logs: readonly string[],
  o: PlayOptions,
): Promise<PlatformsDemoResult> {
  const { write } = o;
  const answers: PlatformsDemoResult['answers'] = [];
  const deletions: LeadDeletedV1[] = [];
  if (hub.deps.bus instanceof InProcessBus) {
    hub.deps.bus.addRule({
      name: 'demo-lead-deleted',
      pattern: { source: ['leadhub'], 'detail-type': ['LeadDeleted'] },
      target: {
        kind: 'function',
        invoke: async (event) => void deletions.push(event.detail as LeadDeletedV1),
      },
    });
  }
  const record = async (platform: string, delivery: string, answer: { status: number; body: string }) => {
    answers.push({ platform, delivery, ...answer });
    write(`   ${delivery.padEnd(58)} → ${answer.status} ${answer.body}`);
    await sleep(o.pace);
  };
  const scenarios: Scenario[] = [];

  // ---- LinkedIn -------------------------------------------------------------------------------------
  write('');
  write('6. LinkedIn Lead Gen Forms');
  const code = randomUUID();
  const challenge = await fetch(`${hub.url}/webhooks/linkedin?challengeCode=${code}`);
  const challengeBody = (await challenge.json()) as { challengeResponse?: string };
  write(
    `   LinkedIn validates the URL: GET /webhooks/linkedin?challengeCode=… → ${challenge.status} ` +
      `challengeResponse ${challengeBody.challengeResponse?.slice(0, 16)}…`,
  );
  const maria = linkedInResponse('c3a5e1d2-4b6f-4a8e-9c0d-1e2f3a4b5c6d-1');
  const dana = linkedInResponse('c3a5e1d2-4b6f-4a8e-9c0d-1e2f3a4b5c6d-2', {
    firstName: 'Dana',
    lastName: 'Whitfield',
    email: 'dana.whitfield@initech.com',
    phone: '+13125550148',
    company: 'Initech',
    jobTitle: 'Director of Sales',
    seniority: 'Director',
    country: 'US',
    interests: [1],
    consents: { 0: false, 1: true },
  });
  const tester = linkedInResponse(
    'c3a5e1d2-4b6f-4a8e-9c0d-1e2f3a4b5c6d-3',
    { firstName: 'Test', lastName: 'Lead', email: 'test.lead@linkedin.example', consents: { 1: true } },
    { testLead: true },
  );
  const withdrawnFirst = linkedInResponse('c3a5e1d2-4b6f-4a8e-9c0d-1e2f3a4b5c6d-4', {
    firstName: 'Chris',
    lastName: 'Park',
    email: 'chris.park@example.org',
  });
  for (const r of [maria, dana, tester, withdrawnFirst]) o.linkedIn.addResponse(r);
  scenarios.push(
    {
      source: 'linkedin',
      platformLeadId: maria.id,
      label: 'Maria Garcia again, now on LinkedIn (signature A)',
    },
    { source: 'linkedin', platformLeadId: dana.id, label: 'lead, then deleted on LinkedIn (signature B)' },
    { source: 'linkedin', platformLeadId: tester.id, label: 'testLead: true' },
    { source: 'linkedin', platformLeadId: withdrawnFirst.id, label: 'DELETED arrived before CREATED' },
  );
  const li = (r: SandboxLinkedInResponse, action: 'CREATED' | 'DELETED' = 'CREATED') =>
    leadNotification(r, action);
  await record(
    'linkedin',
    `CREATED ${maria.id.slice(-10)} (Maria)`,
    await sendLinkedInWebhook(hub.url, [li(maria)], o.linkedIn.secret, { variant: 'A' }),
  );
  await record(
    'linkedin',
    `CREATED ${dana.id.slice(-10)}, ${tester.id.slice(-10)} (array)`,
    await sendLinkedInWebhook(hub.url, [li(dana), li(tester)], o.linkedIn.secret, { variant: 'B' }),
  );
  await record(
    'linkedin',
    `DELETED ${withdrawnFirst.id.slice(-10)} (before its CREATED)`,
    await sendLinkedInWebhook(hub.url, [li(withdrawnFirst, 'DELETED')], o.linkedIn.secret),
  );
  await record(
    'linkedin',
    `CREATED ${withdrawnFirst.id.slice(-10)} (late)`,
    await sendLinkedInWebhook(hub.url, [li(withdrawnFirst)], o.linkedIn.secret),
  );
  await record(
    'linkedin',
    'a forged delivery (wrong client secret)',
    await sendLinkedInWebhook(hub.url, [li(maria)], 'not-the-client-secret'),
  );
  await hub.drain();
  await record(
    'linkedin',
    `DELETED ${dana.id.slice(-10)} (after capture)`,
    await sendLinkedInWebhook(hub.url, [li(dana, 'DELETED')], o.linkedIn.secret),
  );

  // ---- TikTok ---------------------------------------------------------------------------------------
  write('');
  write('7. TikTok Instant Forms (ids as bare 19-digit JSON numbers)');
  const jade = tiktokLead('7301234567890123456');
  const omar = tiktokLead('7301234567890123457', {
    changes: [
      { field: 'name', value: 'Omar Haddad' },
      { field: 'email', value: 'omar.haddad@example.net' },
      { field: 'phone_number', value: '+14155550163' },
      { field: 'What do you need?', value: { value: 'New roof' } },
    ],
  });
  const mock = tiktokMockLead('7301234567890123458');
  const tt = (l: SandboxTikTokLead) => `${l.advertiser_id}:${l.id}`;
  scenarios.push(
    { source: 'tiktok', platformLeadId: tt(jade), label: 'signed delivery (X-Open-Signature)' },
    { source: 'tiktok', platformLeadId: tt(omar), label: 'unsigned delivery, object-typed answer' },
    { source: 'tiktok', platformLeadId: tt(mock), label: 'mock lead (no ad)' },
  );
  const tiktok = (leads: SandboxTikTokLead[], extra: Parameters<typeof sendTikTokWebhook>[3] = {}) =>
    sendTikTokWebhook(hub.url, o.tiktok.token, leads, extra);
  await record('tiktok', `lead ${jade.id} (signed)`, await tiktok([jade], { appSecret: o.tiktok.secret }));
  await record('tiktok', `lead ${omar.id} (no signature header)`, await tiktok([omar]));
  await record('tiktok', `lead ${jade.id} again (TikTok redelivers)`, await tiktok([jade]));
  await record('tiktok', `mock lead ${mock.id}`, await tiktok([mock], { appSecret: o.tiktok.secret }));
  await record(
    'tiktok',
    'an ad-review event (object 3) on the same URL',
    await tiktok([jade], { object: 3 }),
  );
  await record(
    'tiktok',
    'a delivery to a wrong token',
    await sendTikTokWebhook(hub.url, 'guessed-token', [jade], { appSecret: o.tiktok.secret }),
  );
  await record(
    'tiktok',
    'a delivery with a wrong signature',
    await tiktok([omar], { appSecret: 'not-the-app-secret' }),
  );

  // ---- Google ---------------------------------------------------------------------------------------
  write('');
  write('8. Google Ads lead forms');
  const priya = googleLead('CjwKCAiA-priya-7f3a9c1e2b4d');
  const sample = googleTestLead();
  scenarios.push(
    { source: 'google', platformLeadId: priya.lead_id, label: 'lead form on a search ad' },
    { source: 'google', platformLeadId: sample.lead_id, label: '"Send test data" from the form' },
  );
  await record(
    'google',
    'the form\'s "Send test data"',
    await sendGoogleWebhook(hub.url, sample, o.googleKey),
  );
  await record('google', `lead ${priya.lead_id}`, await sendGoogleWebhook(hub.url, priya, o.googleKey));
  await record('google', `lead ${priya.lead_id} again`, await sendGoogleWebhook(hub.url, priya, o.googleKey));
  await record(
    'google',
    'a delivery with a wrong google_key',
    await sendGoogleWebhook(hub.url, priya, 'guess'),
  );

  await hub.drain();

  const outcomes = await describe(hub, scenarios, logs);
  write('');
  write('9. Where each lead went:');
  for (const outcome of outcomes) write(`   ${format(outcome)}`);
  write('');
  write(`   LeadDeleted events: ${deletions.length}`);
  for (const d of deletions) {
    write(
      `   ${d.platformLeadId} · ${d.captured ? 'was captured' : 'never captured (tombstone kept)'} · ${d.leadId}`,
    );
  }

  const linkedInReads = {
    leads: o.linkedIn.requests.filter((r) => r.object === 'lead' && r.status === 200).length,
    forms: o.linkedIn.requests.filter((r) => r.object === 'form' && r.status === 200).length,
  };
  write(
    `   LinkedIn API: ${linkedInReads.leads} lead form responses read, ${linkedInReads.forms} form read ` +
      '(cached per form version)',
  );

  const mariaLead = await hub.deps.store.getLead(leadIdFor('linkedin', maria.id));
  const contact = mariaLead ? await hub.deps.store.getContact(mariaLead.contactId) : undefined;
  const crossPlatform = contact
    ? {
        contactId: contact.profile.contactId,
        leadCount: contact.profile.leadCount,
        sources: [...contact.profile.sources].sort(),
      }
    : undefined;
  write('');
  write(
    crossPlatform
      ? `10. One person, two platforms: Maria Garcia is contact ${crossPlatform.contactId} with ` +
          `${crossPlatform.leadCount} leads (${crossPlatform.sources.join(' + ')})`
      : '10. Maria Garcia was not found as one contact',
  );
  return {
    answers,
    outcomes,
    deletions,
    ...(crossPlatform ? { crossPlatform } : {}),
    linkedInReads,
  };
}

async function describe(
  hub: Hub,
  scenarios: readonly Scenario[],
  logs: readonly string[],
): Promise<PlatformOutcome[]> {
  const alerts = new Map<string, string>();
  for (const line of logs) {
    try {
      const entry = JSON.parse(line) as {
        message?: string;
        leadId?: string;
        channel?: string;
        reason?: string;
      };
      if (!entry.leadId) continue;
      if (entry.message === 'alert sent') alerts.set(entry.leadId, `alerted (${entry.channel} channel)`);
      if (entry.message === 'alert skipped') alerts.set(entry.leadId, `not alerted (${entry.reason})`);
    } catch {
      // Not a log line (a printed alert).
    }
  }
  const outcomes: PlatformOutcome[] = [];
  for (const s of scenarios) {
    const receipt = await hub.deps.receipts.getReceipt({
      source: s.source,
      platformLeadId: s.platformLeadId,
    });
    const leadId = leadIdFor(s.source, s.platformLeadId);
    const stored = await hub.deps.store.getLead(leadId);
    const payload = receipt?.payload as
      | { trust?: { signature: string; advertiser: string }; signatureVariant?: string }
      | undefined;
    const trust = payload?.trust
      ? `path token passed, signature ${payload.trust.signature}`
      : payload?.signatureVariant
        ? `signature variant ${payload.signatureVariant}`
        : undefined;
    outcomes.push({
      source: s.source,
      platformLeadId: s.platformLeadId,
      scenario: s.label,
      receipt: receipt ? receipt.status : 'none',
      stored: stored !== undefined,
      ...(stored ? { isTest: stored.isTest } : {}),
      ...(stored?.scoring ? { score: stored.scoring.score, grade: stored.scoring.grade } : {}),
      ...(alerts.has(leadId) ? { alert: alerts.get(leadId) } : {}),
      ...(trust ? { trust } : {}),
    });
  }
  return outcomes;
}

function format(o: PlatformOutcome): string {
  const steps = [`receipt ${o.receipt}`];
  if (o.stored) steps.push(o.isTest ? 'stored as TEST lead' : 'stored');
  if (o.score !== undefined) steps.push(`scored ${o.score} (${o.grade})`);
  if (o.alert) steps.push(o.alert);
  const lines = [`${o.source.padEnd(8)} ${o.platformLeadId}  ${o.scenario}`, `      ${steps.join(' → ')}`];
  if (o.trust) lines.push(`      ${o.trust}`);
  return lines.join('\n');
}
