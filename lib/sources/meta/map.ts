import { createHash } from 'node:crypto';
import type { MetaFormConfig } from '../../config.js';
import type { Answer, ConsentChoice, ContactField, RawLead } from '../../lead/model.js';
import { normaliseCountry, normaliseEmail, normalisePhone } from '../../lead/normalise.js';
import type { MetaForm, MetaLead } from './fetch.js';
import type { MetaLeadNotification } from './parse.js';

/**
 * Meta's standard field names (field_data[].name) → canonical fields, best first: when a form has both
 * `email` and `work_email`, the first wins the canonical field and the other is kept as an answer.
 */
export const META_STANDARD_FIELDS: ReadonlyArray<readonly [string, ContactField]> = [
  ['email', 'email'],
  ['work_email', 'email'],
  ['full_name', 'fullName'],
  ['first_name', 'firstName'],
  ['last_name', 'lastName'],
  ['phone_number', 'phone'],
  ['work_phone_number', 'phone'],
  ['city', 'city'],
  ['zip_code', 'postalCode'],
  ['post_code', 'postalCode'],
  ['postal_code', 'postalCode'],
  ['country', 'country'],
  ['company_name', 'company'],
  ['job_title', 'jobTitle'],
];

/**
 * Question types (form `questions[].type`) → canonical fields: a form with customised field ids returns
 * those ids as names, and the question's type still says what was asked.
 */
export const META_QUESTION_TYPES: Readonly<Record<string, ContactField>> = {
  EMAIL: 'email',
  WORK_EMAIL: 'email',
  FULL_NAME: 'fullName',
  FIRST_NAME: 'firstName',
  LAST_NAME: 'lastName',
  PHONE: 'phone',
  WORK_PHONE_NUMBER: 'phone',
  CITY: 'city',
  ZIP: 'postalCode',
  POST_CODE: 'postalCode',
  COUNTRY: 'country',
  COMPANY_NAME: 'company',
  JOB_TITLE: 'jobTitle',
};

const STANDARD_RANK = new Map(META_STANDARD_FIELDS.map(([name], rank) => [name, rank]));
const STANDARD_TARGET = new Map(META_STANDARD_FIELDS);
/** Ranks: a config override beats a standard name, which beats a question type. */
const OVERRIDE_RANK = -1;
const TYPE_RANK = 1_000;

export interface MapMetaInput {
  notification: MetaLeadNotification;
  lead: MetaLead;
  form?: MetaForm;
  /** When the receipt was written; the last fallback for the lead's created time. */
  receivedAt: string;
}

export interface MapMetaOptions {
  /** This form's entry under `meta.forms` in the config file. */
  overrides?: MetaFormConfig;
  /** Country for validating phone numbers written without a country code. */
  defaultCountry: string;
}

/** Meta's created_time (`2026-11-20T08:49:14+0000`) as a canonical ISO string. */
function isoTime(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const ms = Date.parse(raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const nonEmpty = (value: string | undefined) => (value && value.trim() !== '' ? value : undefined);

/**
 * A canonical value the hub's own normalisation would reject is kept as an answer instead: Meta has
 * already accepted the submission (and the Lead Ads Testing Tool fills fields with placeholder text), so
 * a value we cannot read must not cost the whole lead.
 */
function acceptable(field: ContactField, value: string, defaultCountry: string): boolean {
  if (field === 'email') return !normaliseEmail(value).issue;
  if (field === 'phone') return !normalisePhone(value, defaultCountry).issue;
  if (field === 'country') return !normaliseCountry(value).issue;
  return true;
}

const sha12 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

function isChecked(value: string | boolean | undefined): boolean {
  if (typeof value === 'boolean') return value;
  return value === '1' || value?.toLowerCase() === 'true';
}

/**
 * Maps a fetched Meta lead (plus its form and the webhook notification) onto the canonical raw lead:
 * standard fields by name (or by question type, or per the config's overrides), every other answer kept
 * with its question label and all its values, custom-disclaimer checkboxes as consent choices with their
 * notice text, and Lead Ads Testing Tool leads (organic, no ad) flagged as tests.
 */
export function mapMetaLead(input: MapMetaInput, options: MapMetaOptions): RawLead {
  const { notification, lead, form } = input;
  const overrides = options.overrides;
  const questions = new Map((form?.questions ?? []).map((q) => [q.key, q]));

  // Pick the best source for each canonical field; everything else becomes an answer.
  const best = new Map<ContactField, { rank: number; value: string; name: string }>();
  const candidates: { name: string; values: string[]; target?: ContactField; rank: number }[] = [];
  for (const field of lead.field_data) {
    const values = field.values.map(String);
    const question = questions.get(field.name);
    let target: ContactField | undefined;
    let rank = Number.POSITIVE_INFINITY;
    if (overrides?.fields[field.name]) {
      target = overrides.fields[field.name];
      rank = OVERRIDE_RANK;
    } else if (STANDARD_TARGET.has(field.name)) {
      target = STANDARD_TARGET.get(field.name);
      rank = STANDARD_RANK.get(field.name) ?? 0;
    } else if (question?.type && META_QUESTION_TYPES[question.type]) {
      target = META_QUESTION_TYPES[question.type];
      rank = TYPE_RANK;
    }
    candidates.push({ name: field.name, values, ...(target ? { target } : {}), rank });
    const value = nonEmpty(values.find((v) => v.trim() !== ''))?.trim();
    if (!target || value === undefined || !acceptable(target, value, options.defaultCountry)) continue;
    const current = best.get(target);
    if (!current || rank < current.rank) best.set(target, { rank, value, name: field.name });
  }

  const canonical: Partial<Record<ContactField, string>> = {};
  const used = new Set<string>();
  for (const [field, { value, name }] of best) {
    canonical[field] = value;
    used.add(name);
  }

  const answers: Answer[] = [];
  for (const candidate of candidates) {
    if (used.has(candidate.name)) continue;
    const values = candidate.values.filter((v) => v.trim() !== '');
    if (values.length === 0) continue;
    const question = questions.get(candidate.name);
    // Choice answers arrive as option keys; the option's text is what the person picked.
    const labelled = values.map((v) => question?.options.find((o) => o.key === v)?.value ?? v);
    answers.push({
      key: candidate.name,
      ...(nonEmpty(question?.label) ? { label: question?.label } : {}),
      values: labelled,
    });
  }

  const consents = consentChoices(lead, form, overrides);
  const adId = nonEmpty(lead.ad_id) ?? notification.adId;
  const organicTestLead = lead.is_organic === true && !adId;
  const formId = nonEmpty(lead.form_id) ?? notification.formId;
  const formName = overrides?.name ?? nonEmpty(form?.name);
  const attribution: RawLead['attribution'] = {
    source: 'meta',
    ...(formId ? { formId } : {}),
    ...(formName ? { formName } : {}),
    pageId: notification.pageId,
    ...(adId ? { adId } : {}),
    ...optional('adName', lead.ad_name),
    ...optional('adSetId', lead.adset_id),
    ...optional('adSetName', lead.adset_name),
    ...optional('campaignId', lead.campaign_id),
    ...optional('campaignName', lead.campaign_name),
    ...optional('platform', lead.platform),
    utm: {},
  };

  return {
    source: 'meta',
    platformLeadId: notification.leadgenId,
    platformCreatedAt: isoTime(lead.created_time) ?? notification.createdTime ?? input.receivedAt,
    ...canonical,
    answers,
    attribution,
    consents,
    context: {},
    isTest: overrides?.isTest ?? organicTestLead,
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  const v = nonEmpty(value);
  return v ? ({ [key]: v } as Record<K, string>) : {};
}

/**
 * Custom-disclaimer checkboxes as consent choices, joined to the form's legal content for the notice
 * text. A required checkbox cannot be left unticked, so submitting the form is recorded as implied
 * acceptance; an optional one is granted only when `is_checked` is "1" (a box with no response is not).
 */
function consentChoices(
  lead: MetaLead,
  form: MetaForm | undefined,
  overrides: MetaFormConfig | undefined,
): ConsentChoice[] {
  const disclaimer = form?.legal_content?.custom_disclaimer;
  const boxes = disclaimer?.checkboxes ?? [];
  const responses = new Map(lead.custom_disclaimer_responses.map((r) => [r.checkbox_key, r.is_checked]));
  const keys = [...new Set([...boxes.map((b) => b.key), ...responses.keys()])];
  const purposes = new Set<string>();
  const choices: ConsentChoice[] = [];
  for (const key of keys) {
    const box = boxes.find((b) => b.key === key);
    const noticeText = nonEmpty(box?.text) ?? nonEmpty(disclaimer?.body?.text) ?? '';
    const legalId = nonEmpty(form?.legal_content?.id);
    let purpose = overrides?.consents[key] ?? key;
    if (purposes.has(purpose)) purpose = `${purpose}:${key}`;
    purposes.add(purpose);
    const required = box?.is_required === true;
    choices.push({
      purpose,
      key,
      noticeText,
      noticeVersion: legalId ? `meta-legal-${legalId}` : `sha256-${sha12(noticeText)}`,
      granted: required || isChecked(responses.get(key)),
      method: required ? 'implied' : 'platform_checkbox',
      required,
    });
  }
  return choices;
}
