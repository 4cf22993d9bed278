import type { ContactField, RawLead } from '../../lead/model.js';
import { type FieldCandidate, optional, pickCanonical } from '../mapping.js';
import { type TikTokLead, tiktokPlatformLeadId } from './parse.js';

/**
 * Instant-form field names (as seen so far; UNCONFIRMED as an official list) → canonical fields, best
 * first. Names are compared lower-cased with spaces and dashes as underscores, so `Phone number` and
 * `phone_number` are one field. Everything else (gender, address, custom questions) is kept as an answer.
 */
export const TIKTOK_STANDARD_FIELDS: ReadonlyArray<readonly [string, ContactField]> = [
  ['email', 'email'],
  ['work_email', 'email'],
  ['name', 'fullName'],
  ['full_name', 'fullName'],
  ['first_name', 'firstName'],
  ['last_name', 'lastName'],
  ['phone_number', 'phone'],
  ['phone', 'phone'],
  ['work_phone_number', 'phone'],
  ['company_name', 'company'],
  ['company', 'company'],
  ['job_title', 'jobTitle'],
  ['city', 'city'],
  ['zip_code', 'postalCode'],
  ['postal_code', 'postalCode'],
  ['zipcode', 'postalCode'],
  ['country', 'country'],
];

const RANK = new Map(TIKTOK_STANDARD_FIELDS.map(([name], rank) => [name, rank]));
const TARGET = new Map(TIKTOK_STANDARD_FIELDS);

const fieldKey = (field: string) =>
  field
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/**
 * An answer's values: a string as it is; an object (the docs reportedly type `value` as one) by its
 * `value`/`values`, else as JSON; lists value by value.
 */
export function answerValues(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(answerValues);
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('value' in o) return answerValues(o.value);
    if ('values' in o) return answerValues(o.values);
    return [JSON.stringify(o)];
  }
  return [];
}

/** A label an object value carries (`{"label": "Budget", "value": "…"}`), if any. */
function labelOf(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const label = (value as Record<string, unknown>).label;
  return typeof label === 'string' && label.trim() !== '' ? label : undefined;
}

export interface MapTikTokOptions {
  defaultCountry: string;
  /** When the receipt was written; the fallback for the lead's created time. */
  receivedAt: string;
}

/**
 * Maps one TikTok lead (answers inline in `changes`) onto the canonical raw lead. Consent is not recorded:
 * how TikTok represents its checkboxes is unconfirmed, so the raw changes stay on the receipt instead. A
 * lead with no ad (UNCONFIRMED: mock leads from /page/lead/mock/create/ have none, while instant forms are
 * an ad format) is flagged as a test.
 */
export function mapTikTokLead(lead: TikTokLead, options: MapTikTokOptions): RawLead {
  const candidates: FieldCandidate[] = lead.changes.map((change) => {
    const key = fieldKey(change.field);
    const target = TARGET.get(key);
    const label = labelOf(change.value) ?? change.field;
    return {
      key: change.field.trim() === '' ? 'field' : change.field,
      label,
      values: answerValues(change.value),
      ...(target ? { target } : {}),
      rank: RANK.get(key) ?? Number.POSITIVE_INFINITY,
    };
  });
  const { canonical, answers } = pickCanonical(candidates, options.defaultCountry);

  const instantForm = lead.leadSource === undefined || lead.leadSource === 'INSTANT_FORM';
  return {
    source: 'tiktok',
    platformLeadId: tiktokPlatformLeadId(lead),
    platformCreatedAt: lead.createTime ?? lead.notifiedAt ?? options.receivedAt,
    ...canonical,
    answers,
    attribution: {
      source: 'tiktok',
      ...optional('formId', lead.pageId),
      ...optional('formName', lead.pageName),
      ...optional('adId', lead.adId),
      ...optional('adName', lead.adName),
      ...optional('adSetId', lead.adgroupId),
      ...optional('adSetName', lead.adgroupName),
      ...optional('campaignId', lead.campaignId),
      ...optional('campaignName', lead.campaignName),
      ...optional('platform', lead.leadSource?.toLowerCase()),
      utm: {},
    },
    consents: [],
    context: {},
    isTest: instantForm && !lead.adId,
  };
}
