import { TIKTOK_MAX_BODY_BYTES } from '../../lib/sources/tiktok/webhook.js';
import { mulberry32 } from './prng.js';
import {
  CHAOS_OPEN_FORMS,
  type ChaosFormPost,
  type ChaosLead,
  type ChaosSources,
  emailOf,
  phoneOf,
} from './sources.js';

/**
 * The hostile scenario's inputs: what an attacker or a broken website sends that still looks like a lead.
 * Each case is a group of deliveries posted in order (the next one only after the previous one's final
 * answer), so a pre-claimed id really is claimed first. What the hub owes follows from its answers: a 2xx
 * owes one stored, alerted lead; a 4xx owes that nothing is stored; a 5xx is retried by the sender. A
 * lead marked `mustAccept` is a real person's: a 4xx for it loses the lead.
 */
export const HOSTILE_CASES = [
  'form-control-bytes',
  'form-control-json',
  'form-bidi',
  'header-referer',
  'header-user-agent',
  'header-idempotency-key',
  'id-across-forms',
  'id-same-content',
  'id-preclaimed',
  'tiktok-control-answer',
  'tiktok-oversize',
  'tiktok-bidi',
  'meta-control-answers',
  'meta-oversize-answer',
  'meta-bidi',
] as const;
export type HostileCase = (typeof HOSTILE_CASES)[number];

export interface HostileStep {
  lead: ChaosLead;
  /** A re-post of a lead already sent in this group. */
  duplicate: boolean;
}

export interface HostileGroup {
  case: HostileCase;
  steps: HostileStep[];
}

/** Leads one round uses (each case once), and the deliveries it posts. */
export const HOSTILE_LEADS_PER_ROUND = HOSTILE_CASES.length + 2;
export const HOSTILE_DELIVERIES_PER_ROUND = HOSTILE_CASES.length + 3;

/** Sizes, kept just inside what the hub lets in at the door. */
export const HOSTILE_SIZES = {
  /** Answers per control-byte form: six values of ~10,000 raw bytes fill a ~60 KiB body. */
  formControlAnswers: 6,
  /** Under the forms' 10,000-character value limit. */
  formControlChars: 9_990,
  /** A JSON body escapes each control byte to `\u00XX`: 9,000 of them make ~54 KB, under the 64 KiB limit. */
  jsonControlChars: 9_000,
  /** Node's HTTP server takes 16 KiB of headers in all. */
  refererBytes: 15_000,
  userAgentBytes: 12_000,
  idempotencyKeyBytes: 8_000,
  /** How far under TikTok's body limit the control-character delivery stays. */
  tiktokHeadroomBytes: 64,
  metaControlAnswers: 3,
  metaControlChars: 20_000,
  /** More than one DynamoDB item (400 KB) can hold. */
  metaOversizeChars: 450_000,
} as const;

/** Raw control characters U+0001–U+001F, cycling from `offset`. */
export function controlText(length: number, offset = 0): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(1 + ((offset + i) % 31));
  return text;
}

/** Control characters that JSON escapes to six bytes each (`\u0001`; not \b \t \n \f \r), for exact sizes. */
const SIX_BYTE_CONTROLS = [...Array(31).keys()]
  .map((i) => i + 1)
  .filter((c) => ![0x08, 0x09, 0x0a, 0x0c, 0x0d].includes(c));
function sixByteControlText(length: number, offset = 0): string {
  let text = '';
  for (let i = 0; i < length; i++)
    text += String.fromCharCode(SIX_BYTE_CONTROLS[(offset + i) % SIX_BYTE_CONTROLS.length] as number);
  return text;
}

/** Right-to-left override, isolates and marks: what makes `exe.pdf` read as `fdp.exe` in a Slack card. */
const BIDI = {
  rlo: '\u202E',
  lro: '\u202D',
  pdf: '\u202C',
  rli: '\u2067',
  fsi: '\u2068',
  pdi: '\u2069',
  rlm: '\u200F',
};

function repeatTo(unit: string, bytes: number): string {
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

/**
 * `rounds` rounds of every hostile case; lead numbers start at `firstSeq` and stay unique. Deterministic
 * for a seed (the control-character runs start at seeded offsets).
 */
export function hostileGroups(
  sources: ChaosSources,
  options: { run: string; seed: number; firstSeq: number; rounds: number },
): HostileGroup[] {
  const rng = mulberry32(options.seed ^ 0x68057e1e);
  const offset = () => Math.floor(rng() * 31);
  let seq = options.firstSeq;
  const groups: HostileGroup[] = [];
  const tagged = (lead: ChaosLead, kind: HostileCase, mustAccept = true): ChaosLead => ({
    ...lead,
    hostile: { case: kind, mustAccept },
  });
  const one = (kind: HostileCase, lead: ChaosLead, mustAccept = true) =>
    groups.push({ case: kind, steps: [{ lead: tagged(lead, kind, mustAccept), duplicate: false }] });

  /** An ordinary browser post of lead `n` to an open form, plus any fields, headers and encoding. */
  const form = (
    n: number,
    extra: Partial<Omit<ChaosFormPost, 'fields'>> & { fields?: ChaosFormPost['fields'] } = {},
  ) =>
    sources.custom.form(n, {
      formId: extra.formId ?? CHAOS_OPEN_FORMS.contact,
      encoding: extra.encoding ?? 'json',
      fields: {
        name: `Chaos ${sources.token(n)}`,
        email: emailOf(sources.token(n)),
        phone: phoneOf(n),
        company: 'Acme Robotics',
        message: 'Please call me about a demo.',
        ...extra.fields,
      },
      ...(extra.headers ? { headers: extra.headers } : {}),
    });

  for (let round = 0; round < options.rounds; round++) {
    const subId = (label: string) => `sub-${options.run}-${round}-${label}`;

    // A broken website: ~60 KiB of raw control bytes in the answers (360 KB once JSON escapes them).
    {
      const n = seq++;
      const fields: Record<string, string> = {};
      for (let i = 0; i < HOSTILE_SIZES.formControlAnswers; i++)
        fields[`notes_${i}`] = controlText(HOSTILE_SIZES.formControlChars, offset());
      one('form-control-bytes', form(n, { encoding: 'urlencoded-raw', fields }));
    }
    {
      const n = seq++;
      one(
        'form-control-json',
        form(n, { fields: { message: controlText(HOSTILE_SIZES.jsonControlChars, offset()) } }),
      );
    }
    {
      const n = seq++;
      const { rlo, pdf, rli, pdi, fsi, rlm, lro } = BIDI;
      one(
        'form-bidi',
        form(n, {
          fields: {
            name: `${rlo}Chaos${pdf} ${sources.token(n)}${rli}${pdi}`,
            company: `${rlo}Acme${pdf} ${fsi}Robotics${pdi}${rlm}`,
            message: `Invoice ${rlo}fdp.exe${pdf}, budget ${lro}${rli}10,000${pdi}${pdf}`,
          },
        }),
      );
    }
    {
      const n = seq++;
      const referer = `https://www.example.com/landing?utm_source=google&utm_medium=cpc&q=${repeatTo('a1-', HOSTILE_SIZES.refererBytes - 60)}`;
      one('header-referer', form(n, { headers: { referer } }));
    }
    {
      const n = seq++;
      const ua = repeatTo(
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 ',
        HOSTILE_SIZES.userAgentBytes,
      );
      one('header-user-agent', form(n, { headers: { 'user-agent': ua } }));
    }
    {
      // No submission_id: the header is the only id the post offers. Refusing it is allowed (4xx).
      const n = seq++;
      const key = repeatTo('k3y-', HOSTILE_SIZES.idempotencyKeyBytes);
      one('header-idempotency-key', form(n, { headers: { 'idempotency-key': key } }), false);
    }
    {
      // Two websites (or two forms of one) that number their submissions the same way: two real leads.
      const a = seq++;
      const b = seq++;
      const id = subId('shared');
      groups.push({
        case: 'id-across-forms',
        steps: [
          { lead: tagged(form(a, { fields: { submission_id: id } }), 'id-across-forms'), duplicate: false },
          {
            lead: tagged(
              form(b, { formId: CHAOS_OPEN_FORMS.quote, fields: { submission_id: id } }),
              'id-across-forms',
            ),
            duplicate: false,
          },
        ],
      });
    }
    {
      // A browser re-sending the same submission: one lead.
      const lead = tagged(form(seq++, { fields: { submission_id: subId('resent') } }), 'id-same-content');
      groups.push({
        case: 'id-same-content',
        steps: [
          { lead, duplicate: false },
          { lead, duplicate: true },
        ],
      });
    }
    {
      // Someone who read the page's script posts junk under the id the next visitor will get.
      const junk = seq++;
      const real = seq++;
      const id = subId('claimed');
      const junkLead = form(junk, {
        fields: {
          submission_id: id,
          name: `zz ${sources.token(junk)}`,
          email: `${sources.token(junk)}@mailinator.com`,
          company: 'asdf',
          message: 'asdfasdf',
        },
      });
      groups.push({
        case: 'id-preclaimed',
        steps: [
          { lead: tagged(junkLead, 'id-preclaimed', false), duplicate: false },
          { lead: tagged(form(real, { fields: { submission_id: id } }), 'id-preclaimed'), duplicate: false },
        ],
      });
    }
    {
      // Signed by TikTok, whole lead inline: an answer of control characters that fills the body to just
      // under the hub's limit, so the escaped lead is the size of the body and the event is bigger.
      const n = seq++;
      const changes = (answer: string) =>
        tiktokChanges(sources, n, [{ field: 'Describe the job', value: answer }]);
      const base = sources.custom.tiktok(n, changes('')).delivery.body.length;
      const room = TIKTOK_MAX_BODY_BYTES - HOSTILE_SIZES.tiktokHeadroomBytes - base;
      one(
        'tiktok-control-answer',
        sources.custom.tiktok(n, changes(sixByteControlText(Math.floor(room / 6), offset()))),
      );
    }
    {
      // Over the body limit: the hub refuses it (413); TikTok does not retry a 4xx.
      const n = seq++;
      const answer = sixByteControlText(Math.ceil(TIKTOK_MAX_BODY_BYTES / 6) + 100, offset());
      one(
        'tiktok-oversize',
        sources.custom.tiktok(n, tiktokChanges(sources, n, [{ field: 'Describe the job', value: answer }])),
        false,
      );
    }
    {
      const n = seq++;
      const { rlo, pdf, rli, pdi } = BIDI;
      one(
        'tiktok-bidi',
        sources.custom.tiktok(
          n,
          tiktokChanges(sources, n, [
            { field: 'name', value: `${rlo}Chaos${pdf} ${sources.token(n)}${rli}` },
            { field: `What do you need?${rlo}`, value: `${rli}Roof${pdi} ${controlText(40, offset())}` },
          ]),
        ),
      );
    }
    {
      // Meta serves the lead from the Graph API: answers of control characters, 360 KB once escaped.
      const n = seq++;
      const answers = Array.from({ length: HOSTILE_SIZES.metaControlAnswers }, (_, i) => ({
        name: `extra_notes_${i}`,
        values: [controlText(HOSTILE_SIZES.metaControlChars, offset())],
      }));
      one('meta-control-answers', sources.custom.meta(n, metaFields(sources, n, answers)));
    }
    {
      const n = seq++;
      const text = repeatTo('We need a quote for 40 robots. ', HOSTILE_SIZES.metaOversizeChars);
      one(
        'meta-oversize-answer',
        sources.custom.meta(n, metaFields(sources, n, [{ name: 'project_details', values: [text] }])),
      );
    }
    {
      const n = seq++;
      const { rlo, pdf, fsi, pdi } = BIDI;
      one(
        'meta-bidi',
        sources.custom.meta(
          n,
          metaFields(sources, n, [
            { name: 'full_name', values: [`${rlo}Chaos${pdf} ${sources.token(n)}${fsi}`] },
            { name: 'team_size', values: [`${fsi}51-200${pdi}${rlo}`] },
          ]),
        ),
      );
    }
  }
  return groups;
}

function tiktokChanges(
  sources: ChaosSources,
  n: number,
  extra: readonly { field: string; value: unknown }[],
): { field: string; value: unknown }[] {
  const token = sources.token(n);
  const base = [
    { field: 'name', value: `Chaos ${token}` },
    { field: 'email', value: emailOf(token) },
    { field: 'phone_number', value: phoneOf(n) },
    { field: 'zip_code', value: '94110' },
  ];
  // A replacement for a base field takes its place; anything else is added.
  return [...base.filter((b) => !extra.some((e) => e.field === b.field)), ...extra];
}

function metaFields(
  sources: ChaosSources,
  n: number,
  extra: readonly { name: string; values: string[] }[],
): { name: string; values: string[] }[] {
  const token = sources.token(n);
  const base = [
    { name: 'full_name', values: [`Chaos ${token}`] },
    { name: 'work_email', values: [emailOf(token)] },
    { name: 'phone_number', values: [phoneOf(n)] },
    { name: 'company_name', values: ['Acme Robotics'] },
    { name: 'country', values: ['US'] },
  ];
  return [...base.filter((b) => !extra.some((e) => e.name === b.name)), ...extra];
}
