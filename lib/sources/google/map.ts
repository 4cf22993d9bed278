import type { ContactField, RawLead } from '../../lead/model.js';
import { type FieldCandidate, optional, pickCanonical } from '../mapping.js';
import type { GoogleLeadPayload } from './parse.js';

/**
 * `column_id` values (LeadFormFieldUserInputType) → canonical fields, best first: EMAIL wins over
 * WORK_EMAIL, PHONE_NUMBER over WORK_PHONE. Other ids (STREET_ADDRESS, REGION, qualifying questions,
 * form-specific custom ids) are kept as answers with their column name.
 */
export const GOOGLE_COLUMN_IDS: ReadonlyArray<readonly [string, ContactField]> = [
  ['EMAIL', 'email'],
  ['WORK_EMAIL', 'email'],
  ['FULL_NAME', 'fullName'],
  ['FIRST_NAME', 'firstName'],
  ['LAST_NAME', 'lastName'],
  ['PHONE_NUMBER', 'phone'],
  ['WORK_PHONE', 'phone'],
  ['COMPANY_NAME', 'company'],
  ['JOB_TITLE', 'jobTitle'],
  ['CITY', 'city'],
  ['POSTAL_CODE', 'postalCode'],
  ['COUNTRY', 'country'],
];

const RANK = new Map(GOOGLE_COLUMN_IDS.map(([id], rank) => [id, rank]));
const TARGET = new Map(GOOGLE_COLUMN_IDS);

export interface MapGoogleOptions {
  defaultCountry: string;
  /** When the receipt was written; the fallback for the lead's created time. */
  receivedAt: string;
}

/**
 * Maps a Google Ads lead (answers inline in `user_column_data`) onto the canonical raw lead, keyed on
 * `column_id` (`column_name` is not always filled in). No consent data is documented in the webhook.
 */
export function mapGoogleLead(lead: GoogleLeadPayload, options: MapGoogleOptions): RawLead {
  const candidates: FieldCandidate[] = lead.columns.map((column, index) => {
    const target = column.columnId ? TARGET.get(column.columnId) : undefined;
    return {
      key: column.columnId ?? column.columnName ?? `column_${index + 1}`,
      ...(column.columnName ? { label: column.columnName } : {}),
      values: [column.value],
      ...(target ? { target } : {}),
      rank: RANK.get(column.columnId ?? '') ?? Number.POSITIVE_INFINITY,
    };
  });
  const { canonical, answers } = pickCanonical(candidates, options.defaultCountry);
  return {
    source: 'google',
    platformLeadId: lead.leadId,
    platformCreatedAt: lead.submitTime ?? options.receivedAt,
    ...canonical,
    answers,
    attribution: {
      source: 'google',
      ...optional('formId', lead.formId),
      ...optional('campaignId', lead.campaignId),
      ...optional('adSetId', lead.adgroupId ?? lead.assetGroupId),
      ...optional('adId', lead.creativeId),
      ...optional('platform', lead.leadSource?.toLowerCase()),
      utm: {},
      ...(lead.gclId ? { clickIds: { gclid: lead.gclId } } : {}),
    },
    consents: [],
    context: {},
    isTest: lead.isTest,
  };
}
