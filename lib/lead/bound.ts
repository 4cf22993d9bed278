import { LEAD_LIMITS } from './limits.js';
import {
  type Answer,
  type Attribution,
  CONTACT_FIELDS,
  type FieldIssue,
  type Lead,
  type ParsedRawLead,
} from './model.js';

/**
 * Characters no submitter needs and a reader can be fooled by: C0 controls except tab and line feed
 * (carriage returns become line feeds first), DEL, C1 controls, the bidi embeddings and overrides
 * (U+202A–U+202E) and isolates (U+2066–U+2069) that reorder what Slack or a CRM shows, and U+FEFF (a stray
 * byte-order mark). The marks U+200E/U+200F are kept: right-to-left text uses them, and they reorder
 * nothing but neighbouring punctuation.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

/**
 * A submitted text made safe to show and small to escape: unsafe characters removed, line breaks kept
 * (as LF), lone surrogates (which JSON escapes to 6 bytes each) replaced with U+FFFD. After this no
 * character takes more than 3 bytes in JSON.
 */
export function cleanText(raw: string): string {
  return raw.toWellFormed().replace(/\r\n?/g, '\n').replace(UNSAFE_CHARS, '');
}

/** cleanText for one-line values (keys, labels, attribution, headers): tabs and line breaks become spaces. */
export function cleanLine(raw: string): string {
  return cleanText(raw).replace(/[\t\n]/g, ' ');
}

/** The first `max` UTF-16 units of a text, never ending half-way through a surrogate pair. */
export function cutChars(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

const tooLong = (max: number) => `is longer than ${max} characters`;

/**
 * Cleans every text value a submitter (or a platform on their behalf) chose and applies the per-value
 * and per-count limits. What was cut is listed (field names and limits, never values). The consents'
 * notice texts, purposes and versions are kept verbatim: they come from the form's configuration or the
 * platform's form, not from the submitter, and the ledger hashes the exact notice shown.
 */
export function boundRawLead(raw: ParsedRawLead): { raw: ParsedRawLead; cuts: FieldIssue[] } {
  const cuts: FieldIssue[] = [];
  const text = (field: string, value: string, max: number, clean: (v: string) => string): string => {
    const cleaned = clean(value);
    if (cleaned.length <= max) return cleaned;
    cuts.push({ field, message: tooLong(max) });
    return cutChars(cleaned, max);
  };
  const line = (field: string, value: string | undefined, max: number = LEAD_LIMITS.textChars) =>
    value === undefined ? undefined : text(field, value, max, cleanLine);
  const present = (value: string | undefined) => (value === '' ? undefined : value);

  const contact: Partial<Record<(typeof CONTACT_FIELDS)[number], string>> = {};
  for (const field of CONTACT_FIELDS) {
    const value = raw[field];
    if (value !== undefined) contact[field] = text(field, value, LEAD_LIMITS.textChars, cleanText);
  }

  const answers: Answer[] = capCount(raw.answers, LEAD_LIMITS.answers, 'answers', 'answers', cuts).map(
    (answer) => {
      const key = line('answers', answer.key, LEAD_LIMITS.keyChars) || 'field';
      const label = present(line(key, answer.label, LEAD_LIMITS.labelChars));
      const values = capCount(answer.values, LEAD_LIMITS.valuesPerAnswer, key, 'values', cuts).map((value) =>
        text(key, value, LEAD_LIMITS.textChars, cleanText),
      );
      return { key, ...(label !== undefined ? { label } : {}), values };
    },
  );

  const { utm, clickIds, source, ...texts } = raw.attribution;
  const attribution: Attribution = { source, utm: {} };
  for (const [name, value] of Object.entries(texts) as [keyof typeof texts, string | undefined][]) {
    const cleaned = present(line(`attribution.${name}`, value));
    if (cleaned !== undefined) attribution[name] = cleaned;
  }
  for (const [name, value] of Object.entries(utm) as [keyof typeof utm, string | undefined][]) {
    const cleaned = present(line(`utm_${name}`, value));
    if (cleaned !== undefined) attribution.utm[name] = cleaned;
  }
  if (clickIds) {
    const kept: Record<string, string> = {};
    for (const [name, value] of capCount(
      Object.entries(clickIds),
      LEAD_LIMITS.clickIds,
      'clickIds',
      'click ids',
      cuts,
    )) {
      const key = present(line('clickIds', name, LEAD_LIMITS.keyChars));
      const cleaned = key === undefined ? undefined : present(line(key, value));
      if (key !== undefined && cleaned !== undefined) kept[key] = cleaned;
    }
    if (Object.keys(kept).length > 0) attribution.clickIds = kept;
  }

  const ip = present(line('ip', raw.context.ip));
  const userAgent = present(line('userAgent', raw.context.userAgent, LEAD_LIMITS.userAgentChars));
  return {
    raw: {
      ...raw,
      ...contact,
      answers,
      attribution,
      consents: capCount(raw.consents, LEAD_LIMITS.consents, 'consents', 'consents', cuts),
      context: { ...(ip !== undefined ? { ip } : {}), ...(userAgent !== undefined ? { userAgent } : {}) },
    },
    cuts,
  };
}

function capCount<T>(items: readonly T[], max: number, field: string, noun: string, cuts: FieldIssue[]): T[] {
  if (items.length <= max) return [...items];
  cuts.push({ field, message: `has more than ${max} ${noun}` });
  return items.slice(0, max);
}

/** Contact fields that are free text (the others are validated into short canonical forms). */
const FREE_TEXT_CONTACT = [
  'fullName',
  'firstName',
  'lastName',
  'company',
  'jobTitle',
  'city',
  'postalCode',
] as const;

/**
 * Rewrites every text of a lead that can be shortened without losing who the person is: free-text
 * contact fields, answers' labels and values, every attribution value (ids included: one that long is
 * not a real id) and the submission context. Ids of the lead itself, email, phone, country and the
 * consents are left alone.
 */
function mapTexts(lead: Lead, fn: (value: string, field: string) => string): Lead {
  const contact: Partial<Lead> = {};
  for (const field of FREE_TEXT_CONTACT) {
    const value = lead[field];
    if (value !== undefined) contact[field] = fn(value, field);
  }
  const { utm, clickIds, source, ...texts } = lead.attribution;
  const attribution: Attribution = { source, utm: {} };
  for (const [name, value] of Object.entries(texts) as [keyof typeof texts, string | undefined][]) {
    if (value !== undefined) attribution[name] = fn(value, name);
  }
  for (const [name, value] of Object.entries(utm) as [keyof typeof utm, string | undefined][]) {
    if (value !== undefined) attribution.utm[name] = fn(value, `utm_${name}`);
  }
  if (clickIds) {
    attribution.clickIds = Object.fromEntries(Object.entries(clickIds).map(([k, v]) => [k, fn(v, k)]));
  }
  const { ip, userAgent } = lead.context;
  return {
    ...lead,
    ...contact,
    answers: lead.answers.map((a) => ({
      key: a.key,
      ...(a.label !== undefined ? { label: fn(a.label, a.key) } : {}),
      values: a.values.map((v) => fn(v, a.key)),
    })),
    attribution,
    context: {
      ...(ip !== undefined ? { ip: fn(ip, 'ip') } : {}),
      ...(userAgent !== undefined ? { userAgent: fn(userAgent, 'userAgent') } : {}),
    },
  };
}

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * UTF-8 bytes of the lead as JSON. Answer by answer, so a lead far over the budget never has to become
 * one giant string.
 */
export function leadBytes(lead: Lead): number {
  const { answers } = lead;
  const answerBytes = answers.reduce((sum, answer) => sum + jsonBytes(answer), 0);
  return jsonBytes({ ...lead, answers: [] }) + answerBytes + Math.max(0, answers.length - 1);
}

/** Largest n in [low, high] for which fits(n) holds, given that fits(low) does and fits is monotone. */
function largestFitting(low: number, high: number, fits: (n: number) => boolean): number {
  let best = low;
  let lo = low + 1;
  let hi = high;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/**
 * Brings a lead within LEAD_LIMITS.leadBytes, losing as little as it can: first the longest texts are cut
 * to a common length (never below minCutChars), so short answers stay whole; if that is not enough, the
 * last answers are dropped, then the last consents. What remains (ids, email, phone, answer keys and
 * texts of at most minCutChars) is far below the budget. The cut is listed under the field whose value
 * was the longest, so a web form can tell the person which field to shorten.
 */
export function fitLead(lead: Lead): { lead: Lead; cut?: FieldIssue } {
  const budget = LEAD_LIMITS.leadBytes;
  const lengths: number[] = [];
  let longest = { field: '(lead)', length: 0 };
  mapTexts(lead, (value, field) => {
    lengths.push(value.length);
    if (value.length > longest.length) longest = { field, length: value.length };
    return value;
  });
  // Every character takes at least a byte, so texts cut to n take at least this many.
  const leastBytes = (n: number) => lengths.reduce((sum, length) => sum + Math.min(length, n), 0);
  if (leastBytes(longest.length) <= budget && leadBytes(lead) <= budget) return { lead };

  const cut: FieldIssue = { field: longest.field, message: `makes the lead larger than ${budget} bytes` };
  const cutTo = (n: number) => mapTexts(lead, (value) => cutChars(value, n));
  const floor = Math.min(LEAD_LIMITS.minCutChars, longest.length);
  const ceiling = largestFitting(0, longest.length - 1, (n) => leastBytes(n) <= budget);
  const shortest = cutTo(floor);
  if (ceiling >= floor && leadBytes(shortest) <= budget) {
    const n = largestFitting(floor, ceiling, (m) => leadBytes(cutTo(m)) <= budget);
    return { lead: cutTo(n), cut };
  }
  const withAnswers = (k: number) => ({ ...shortest, answers: shortest.answers.slice(0, k) });
  const answers = largestFitting(0, shortest.answers.length - 1, (k) => leadBytes(withAnswers(k)) <= budget);
  const fewer = withAnswers(answers);
  if (leadBytes(fewer) <= budget) return { lead: fewer, cut };
  const withConsents = (k: number) => ({ ...fewer, consents: fewer.consents.slice(0, k) });
  const consents = largestFitting(0, fewer.consents.length - 1, (k) => leadBytes(withConsents(k)) <= budget);
  return { lead: withConsents(consents), cut };
}
