import type { FormConfig } from '../../config.js';
import { LEAD_LIMITS } from '../../lead/limits.js';
import {
  type Answer,
  CONTACT_FIELDS,
  type ConsentChoice,
  type ContactField,
  type FieldIssue,
  type RawLead,
  type Utm,
} from '../../lead/model.js';
import { contentHashId, submissionKey } from './dedupe.js';
import type { FormFields } from './parse.js';

/** Fields with a meaning of their own in every form; they are not kept as answers. */
const UTM_FIELDS = ['source', 'medium', 'campaign', 'term', 'content'] as const;
const CLICK_ID_FIELDS = ['gclid', 'gbraid', 'wbraid', 'fbclid', 'ttclid', 'li_fat_id', 'msclkid'] as const;
const RESERVED_FIELDS = new Set<string>([
  'submission_id',
  'landing_url',
  'page_url',
  'referrer',
  'is_test',
  ...UTM_FIELDS.map((f) => `utm_${f}`),
  ...CLICK_ID_FIELDS,
]);
const SUBMISSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const CHECKED = new Set(['on', 'true', '1', 'yes', 'checked', 'granted', 'accepted']);

export interface FormSubmissionMeta {
  formId: string;
  receivedAt: string;
  /** Verified X-LeadHub-Signature: only then may the body flag itself as a test. */
  signed: boolean;
  ip?: string;
  userAgent?: string;
  /** The Referer header: the page the form was posted from. */
  pageUrl?: string;
  /** Idempotency-Key header, when the poster supplies one. */
  idempotencyKey?: string;
}

/** The mapped lead, plus any field issues found on the way (the caller adds normalisation's own). */
export interface MapResult {
  lead: RawLead;
  issues: FieldIssue[];
}

const first = (fields: FormFields, name: string): string | undefined => {
  const value = fields[name]?.find((v) => v.trim() !== '');
  return value?.trim();
};

/**
 * An http(s) URL no longer than a text value once written out (percent-encoding can triple a field's
 * length; a Referer header has no cap of its own). A URL cut short is not the page, so a longer one is
 * not used at all, like one that does not parse.
 */
function safeUrl(raw: string | undefined): URL | undefined {
  if (!raw || raw.length > LEAD_LIMITS.textChars) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.toString().length <= LEAD_LIMITS.textChars ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The field name as an issue names it: a name over the limit is shown cut, not echoed whole. */
const issueName = (name: string) =>
  name.length > LEAD_LIMITS.keyChars ? `${name.slice(0, LEAD_LIMITS.keyChars)}…` : name;

/** Each form field over a limit of LEAD_LIMITS, by its own name, so the person can fix it. */
function limitIssues(fields: FormFields): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [name, values] of Object.entries(fields)) {
    if (name.length > LEAD_LIMITS.keyChars) {
      issues.push({
        field: issueName(name),
        message: `has a name longer than ${LEAD_LIMITS.keyChars} characters`,
      });
    }
    if (values.length > LEAD_LIMITS.valuesPerAnswer) {
      issues.push({ field: issueName(name), message: `has more than ${LEAD_LIMITS.valuesPerAnswer} values` });
    }
    if (values.some((v) => v.length > LEAD_LIMITS.textChars)) {
      issues.push({ field: issueName(name), message: `is longer than ${LEAD_LIMITS.textChars} characters` });
    }
  }
  return issues;
}

/** Maps a posted form onto the canonical raw lead, per the form's declared mapping and consents. */
export function mapFormSubmission(form: FormConfig, fields: FormFields, meta: FormSubmissionMeta): MapResult {
  const issues = limitIssues(fields);

  const canonical: Partial<Record<ContactField, string>> = {};
  const mapped = new Set<string>();
  for (const [formField, target] of Object.entries(form.fields)) {
    mapped.add(formField);
    const value = first(fields, formField);
    if (value !== undefined && canonical[target] === undefined) canonical[target] = value;
  }
  // A field already named like a canonical field needs no mapping entry.
  for (const name of CONTACT_FIELDS) {
    if (mapped.has(name) || canonical[name] !== undefined) continue;
    const value = first(fields, name);
    if (value !== undefined) {
      canonical[name] = value;
      mapped.add(name);
    }
  }

  const consents: ConsentChoice[] = form.consents.map((c) => ({
    purpose: c.purpose,
    key: c.field,
    noticeText: c.text,
    noticeVersion: c.version,
    granted: (fields[c.field] ?? []).some((v) => CHECKED.has(v.trim().toLowerCase())),
    method: 'web_checkbox',
    required: c.required,
  }));
  for (const consent of consents) {
    if (consent.required && !consent.granted)
      issues.push({ field: consent.key, message: 'must be accepted' });
  }
  const consentFields = new Set(form.consents.map((c) => c.field));

  const answers: Answer[] = [];
  for (const [name, values] of Object.entries(fields)) {
    if (mapped.has(name) || consentFields.has(name) || RESERVED_FIELDS.has(name) || name === form.honeypot) {
      continue;
    }
    answers.push({ key: name, values });
  }

  const landing = safeUrl(first(fields, 'landing_url') ?? first(fields, 'page_url') ?? meta.pageUrl);
  const utm: Utm = {};
  const clickIds: Record<string, string> = {};
  for (const part of UTM_FIELDS) {
    const value = first(fields, `utm_${part}`) ?? landing?.searchParams.get(`utm_${part}`) ?? undefined;
    if (value) utm[part] = value;
  }
  for (const name of CLICK_ID_FIELDS) {
    const value = first(fields, name) ?? landing?.searchParams.get(name) ?? undefined;
    if (value) clickIds[name] = value;
  }

  const submissionId = first(fields, 'submission_id') ?? meta.idempotencyKey;
  if (submissionId !== undefined && !SUBMISSION_ID.test(submissionId)) {
    issues.push({ field: 'submission_id', message: 'must be 1-128 letters, digits or . _ : -' });
  }
  const selfFlaggedTest = meta.signed && CHECKED.has((first(fields, 'is_test') ?? '').toLowerCase());
  const lead: RawLead = {
    source: 'form',
    platformLeadId:
      submissionId && SUBMISSION_ID.test(submissionId)
        ? submissionKey(meta.formId, submissionId)
        : contentHashId(meta.formId, fields, form.honeypot),
    platformCreatedAt: meta.receivedAt,
    ...canonical,
    answers,
    attribution: {
      source: 'form',
      formId: meta.formId,
      ...(form.name ? { formName: form.name } : {}),
      utm,
      ...(landing ? { landingUrl: landing.toString() } : {}),
      ...(safeUrl(first(fields, 'referrer')) ? { referrer: first(fields, 'referrer') } : {}),
      ...(Object.keys(clickIds).length > 0 ? { clickIds } : {}),
    },
    consents,
    context: {
      // From the connection and a header: capped like any field, whatever the sender put there.
      ...(meta.ip && meta.ip.length <= LEAD_LIMITS.textChars ? { ip: meta.ip } : {}),
      ...(meta.userAgent ? { userAgent: meta.userAgent.slice(0, LEAD_LIMITS.userAgentChars) } : {}),
    },
    isTest: form.isTest || selfFlaggedTest,
  };
  return { lead, issues };
}

/** True when the honeypot field was filled in (only bots see it). */
export function honeypotFilled(form: FormConfig, fields: FormFields): boolean {
  return form.honeypot !== undefined && first(fields, form.honeypot) !== undefined;
}
