import { googleLead, googleWebhookBody } from '../../lib/sandbox/google-webhook.js';
import {
  type LinkedInSandbox,
  type LinkedInSandboxFailure,
  startLinkedInSandbox,
} from '../../lib/sandbox/linkedin-api.js';
import { linkedInDemoForm, linkedInResponse } from '../../lib/sandbox/linkedin-fixtures.js';
import {
  leadNotification,
  linkedInWebhookBody,
  signLinkedInBody,
} from '../../lib/sandbox/linkedin-webhook.js';
import { demoRequestForm, demoRequestLead, SANDBOX_PAGES } from '../../lib/sandbox/meta-fixtures.js';
import { type MetaSandbox, type SandboxFailure, startMetaSandbox } from '../../lib/sandbox/meta-graph.js';
import { leadgenEntries, metaWebhookBody, signMetaBody } from '../../lib/sandbox/meta-webhook.js';
import {
  signTikTokBody,
  TIKTOK_ADVERTISER_ID,
  tiktokLead,
  tiktokWebhookBody,
} from '../../lib/sandbox/tiktok-webhook.js';
import { formSource } from '../sources/form.js';
import { leadToken } from '../sources/types.js';
import type { FaultKind, FaultPlan } from './faults.js';
import type { HostileCase } from './hostile.js';

export const CHAOS_SOURCES = ['form', 'meta', 'linkedin', 'tiktok', 'google'] as const;
export type ChaosSourceName = (typeof CHAOS_SOURCES)[number];

/** One signed delivery, exactly as the platform would post it; a duplicate re-posts the same bytes. */
export interface ChaosDelivery {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * A unique lead: its token appears in its name (and so in its Slack alert and its stored lead). The token,
 * not the platform id, is the lead's identity in the count: two leads that share a form submission id
 * (on two forms, or an attacker's and a person's) are still two leads with two tokens.
 */
export interface ChaosLead {
  seq: number;
  token: string;
  source: ChaosSourceName;
  delivery: ChaosDelivery;
  /**
   * The id the hub keys the lead's receipt by, where the receipt holds no more than ids (Meta, LinkedIn;
   * Google's too). Form and TikTok receipts carry the lead itself, and so its token.
   */
  platformLeadId?: string;
  /** Set on the hostile scenario's leads: which case, and whether a 4xx for it loses a real lead. */
  hostile?: { case: HostileCase; mustAccept: boolean };
}

/** A form post with chosen fields and headers (unsigned unless the form requires a signature). */
export interface ChaosFormPost {
  formId: string;
  fields: Record<string, string | string[]>;
  /**
   * `urlencoded-raw`: urlencoded with only `%&+=` escaped, so control bytes travel raw, as a broken
   * website's hand-made body carries them.
   */
  encoding: 'json' | 'urlencoded-raw';
  headers?: Record<string, string>;
}

/** One Meta lead's field_data entry, as the Graph API serves it. */
export interface ChaosMetaField {
  name: string;
  values: string[];
}

/** One TikTok lead's `changes` entry (the webhook carries the whole lead). */
export interface ChaosTikTokChange {
  field: string;
  value: unknown;
}

export interface ChaosSources {
  /** Environment the hub needs: the sources' secrets and the platform stand-ins' URLs. */
  env: Record<string, string>;
  /** Hub config the sources need (the signed bench form). */
  config: Record<string, unknown>;
  /** Lead number `seq` (unique across sources) of `source`, registered with its platform stand-in. */
  lead(source: ChaosSourceName, seq: number): ChaosLead;
  /** The token of lead number `seq` (its name and email carry it). */
  token(seq: number): string;
  /** Leads with chosen content, for the hostile scenario; `seq` is unique across every lead of a run. */
  custom: {
    form(seq: number, post: ChaosFormPost): ChaosLead;
    meta(seq: number, fieldData: readonly ChaosMetaField[]): ChaosLead;
    tiktok(seq: number, changes: readonly ChaosTikTokChange[]): ChaosLead;
  };
  /** Reads served by the platform stand-ins (Graph API, LinkedIn REST). */
  platformCalls(): number;
  close(): Promise<void>;
}

const META_APP_SECRET = 'chaos-meta-app-secret';
const META_PAGE_TOKEN = 'chaos-page-access-token';
const LINKEDIN_SECRET = 'chaos-linkedin-client-secret';
const LINKEDIN_TOKEN = 'AQV-chaos-member-token';
const TIKTOK_PATH_TOKEN = 'chaos-tiktok-path-token-5e6f7a8b';
const TIKTOK_APP_SECRET = 'chaos-tiktok-app-secret';
const GOOGLE_KEY = 'chaos-google-webhook-key';

/** A distinct phone per lead (seq is unique across sources), so no two leads merge into one person. */
export const phoneOf = (seq: number) => `+1415555${String(1000 + (seq % 9000)).padStart(4, '0')}`;
export const emailOf = (token: string) => `${token}@acme-robotics.com`;

/**
 * Unsigned forms, as a website posts them from the browser: anyone may post, so anyone may pick a
 * submission id. The hostile scenario posts to these; the ordinary form leads use the signed bench form.
 */
export const CHAOS_OPEN_FORMS = { contact: 'chaos-contact', quote: 'chaos-quote' } as const;

const openForm = (name: string) => ({
  name,
  fields: { email: 'email', name: 'fullName', phone: 'phone', company: 'company', job_title: 'jobTitle' },
  required: ['email'],
  honeypot: 'website',
});

/** Only `%&+=` escaped: every other byte, control bytes included, goes into the body as it is. */
function rawUrlencoded(fields: Record<string, string | string[]>): string {
  const encode = (text: string) => text.replace(/[%&+=]/g, (c) => encodeURIComponent(c));
  return Object.entries(fields)
    .flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((v) => `${encode(name)}=${encode(v)}`),
    )
    .join('&');
}

function metaFailure(kind: FaultKind<'platform'>): SandboxFailure {
  if (kind === 'hang') return { kind: 'hang' };
  if (kind === 'throttled') return { kind: 'throttle', code: 17 };
  return { kind: 'server_error', status: 500 };
}

function linkedInFailure(kind: FaultKind<'platform'>): LinkedInSandboxFailure {
  if (kind === 'hang') return { kind: 'hang' };
  if (kind === 'throttled') return { kind: 'throttle' };
  return { kind: 'server_error', status: 503 };
}

/**
 * The five sources as the harness drives them: signed deliveries of new leads, and for Meta and LinkedIn
 * (whose webhooks carry ids only) the platform API stand-ins that serve the full lead, failing reads as
 * the fault plan says (a run of 500s, throttling or a hang, per lead).
 */
export async function startChaosSources(options: { run: string; plan: FaultPlan }): Promise<ChaosSources> {
  const { run, plan } = options;
  const meta: MetaSandbox = await startMetaSandbox({
    appSecret: META_APP_SECRET,
    pages: { [SANDBOX_PAGES.acme]: META_PAGE_TOKEN },
    forms: [demoRequestForm],
  });
  let linkedIn: LinkedInSandbox;
  try {
    linkedIn = await startLinkedInSandbox({ tokens: [LINKEDIN_TOKEN], forms: [linkedInDemoForm] });
  } catch (error) {
    await meta.close();
    throw error;
  }
  // Platform ids are digits; one run's ids never meet another run's.
  const idBase = BigInt(
    1_000_000 + (Number.parseInt(run.replace(/\D/g, '').slice(0, 6) || '0', 10) % 1_000_000),
  );

  const metaLead = (seq: number, fieldData: readonly ChaosMetaField[]): ChaosLead => {
    const token = leadToken(run, seq);
    const id = String(idBase * 10_000_000n + BigInt(seq));
    const lead = demoRequestLead(id, { createdTime: new Date().toISOString(), fieldData: [...fieldData] });
    meta.addLead(lead);
    const failing = plan.failuresFor('platform', `meta:${id}`);
    if (failing) meta.fail(id, metaFailure(failing.kind), failing.times);
    const body = metaWebhookBody(leadgenEntries([lead]));
    return {
      seq,
      token,
      source: 'meta',
      platformLeadId: id,
      delivery: {
        path: '/webhooks/meta',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'facebookexternalua',
          'x-hub-signature-256': signMetaBody(body, META_APP_SECRET),
        },
        body,
      },
    };
  };

  const tiktokLeadOf = (seq: number, changes: readonly ChaosTikTokChange[]): ChaosLead => {
    const id = String(idBase * 10_000_000n + BigInt(seq));
    const body = tiktokWebhookBody([tiktokLead(id, { changes: [...changes] })]);
    return {
      seq,
      token: leadToken(run, seq),
      source: 'tiktok',
      delivery: {
        path: `/webhooks/tiktok/${TIKTOK_PATH_TOKEN}`,
        headers: {
          'content-type': 'application/json',
          'x-open-signature': signTikTokBody(body, TIKTOK_APP_SECRET),
        },
        body,
      },
    };
  };

  const formLead = (seq: number, post: ChaosFormPost): ChaosLead => {
    const body = post.encoding === 'json' ? JSON.stringify(post.fields) : rawUrlencoded(post.fields);
    return {
      seq,
      token: leadToken(run, seq),
      source: 'form',
      delivery: {
        path: `/forms/${post.formId}`,
        headers: {
          'content-type': post.encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
          ...post.headers,
        },
        body,
      },
    };
  };

  const lead = (source: ChaosSourceName, seq: number): ChaosLead => {
    const token = leadToken(run, seq);
    const name = `Chaos ${token}`;
    switch (source) {
      case 'form': {
        const request = formSource.request(seq, run);
        return { seq, token, source, delivery: request };
      }
      case 'meta':
        return metaLead(seq, [
          { name: 'full_name', values: [name] },
          { name: 'work_email', values: [emailOf(token)] },
          { name: 'phone_number', values: [phoneOf(seq)] },
          { name: 'company_name', values: ['Acme Robotics'] },
          { name: 'job_title', values: ['VP Sales'] },
          { name: 'country', values: ['US'] },
          { name: 'team_size', values: ['51-200'] },
        ]);
      case 'linkedin': {
        const id = `chaos-${run}-${seq}`;
        const response = linkedInResponse(id, {
          firstName: 'Chaos',
          lastName: token,
          email: emailOf(token),
          phone: phoneOf(seq),
          company: 'Acme Robotics',
          jobTitle: 'VP Sales',
          seniority: 'VP',
          country: 'US',
          interests: [0],
          consents: { 0: true, 1: true },
        });
        linkedIn.addResponse(response);
        const failing = plan.failuresFor('platform', `linkedin:${id}`);
        if (failing) linkedIn.fail(id, linkedInFailure(failing.kind), failing.times);
        const body = linkedInWebhookBody([leadNotification(response)]);
        return {
          seq,
          token,
          source,
          platformLeadId: id,
          delivery: {
            path: '/webhooks/linkedin',
            headers: {
              'content-type': 'application/json',
              'x-li-signature': signLinkedInBody(body, LINKEDIN_SECRET),
            },
            body,
          },
        };
      }
      case 'tiktok':
        return tiktokLeadOf(seq, [
          { field: 'name', value: name },
          { field: 'email', value: emailOf(token) },
          { field: 'phone_number', value: phoneOf(seq) },
          { field: 'zip_code', value: '94110' },
          { field: 'What do you need?', value: 'Roof repair' },
        ]);
      case 'google': {
        const id = `chaos-${run}-${seq}`;
        const body = googleWebhookBody(
          googleLead(id, {
            user_column_data: [
              { column_name: 'Full Name', string_value: name, column_id: 'FULL_NAME' },
              { column_name: 'User Email', string_value: emailOf(token), column_id: 'EMAIL' },
              { column_name: 'User Phone', string_value: phoneOf(seq), column_id: 'PHONE_NUMBER' },
              { column_name: 'Company Name', string_value: 'Globex', column_id: 'COMPANY_NAME' },
            ],
          }),
          GOOGLE_KEY,
        );
        return {
          seq,
          token,
          source,
          platformLeadId: id,
          delivery: {
            path: '/webhooks/google',
            headers: { 'content-type': 'application/json', 'user-agent': 'Google-Ads-Lead-Forms' },
            body,
          },
        };
      }
    }
  };

  return {
    env: {
      ...formSource.env,
      META_APP_SECRET,
      META_VERIFY_TOKEN: 'chaos-verify-token',
      META_PAGE_ACCESS_TOKEN: META_PAGE_TOKEN,
      META_GRAPH_URL: meta.url,
      LINKEDIN_CLIENT_SECRET: LINKEDIN_SECRET,
      LINKEDIN_ACCESS_TOKEN: LINKEDIN_TOKEN,
      LINKEDIN_API_URL: linkedIn.url,
      TIKTOK_WEBHOOK_TOKEN: TIKTOK_PATH_TOKEN,
      TIKTOK_APP_SECRET,
      TIKTOK_ADVERTISER_IDS: TIKTOK_ADVERTISER_ID,
      GOOGLE_WEBHOOK_KEY: GOOGLE_KEY,
    },
    config: {
      ...formSource.config,
      forms: {
        ...(formSource.config.forms as Record<string, unknown>),
        [CHAOS_OPEN_FORMS.contact]: openForm('Chaos contact form'),
        [CHAOS_OPEN_FORMS.quote]: openForm('Chaos quote form'),
      },
    },
    lead,
    token: (seq) => leadToken(run, seq),
    custom: { form: formLead, meta: metaLead, tiktok: tiktokLeadOf },
    platformCalls: () => meta.requests.length + linkedIn.requests.length,
    close: async () => {
      await meta.close();
      await linkedIn.close();
    },
  };
}
