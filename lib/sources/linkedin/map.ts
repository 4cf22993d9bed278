import type { ConsentChoice, ContactField, RawLead, Utm } from '../../lead/model.js';
import { type FieldCandidate, isoFromEpoch, nonEmpty, optional, pickCanonical, sha12 } from '../mapping.js';
import { formLocale, type LinkedInForm, type LinkedInLeadResponse, localizedText } from './fetch.js';
import { formOf, type LinkedInLeadNotification, urnId } from './parse.js';

/**
 * LinkedIn's `predefinedField` values → canonical fields, best first: when a form asks both EMAIL and
 * WORK_EMAIL, the first wins the canonical field and the other is kept as an answer. Values not listed
 * here (JOB_FUNCTION, SENIORITY, INDUSTRY, COMPANY_SIZE, STATE, …) are kept as answers.
 */
export const LINKEDIN_PREDEFINED_FIELDS: ReadonlyArray<readonly [string, ContactField]> = [
  ['EMAIL', 'email'],
  ['WORK_EMAIL', 'email'],
  ['FIRST_NAME', 'firstName'],
  ['LAST_NAME', 'lastName'],
  ['FULL_NAME', 'fullName'],
  ['PHONE_NUMBER', 'phone'],
  ['WORK_PHONE_NUMBER', 'phone'],
  ['COMPANY_NAME', 'company'],
  ['JOB_TITLE', 'jobTitle'],
  ['COUNTRY', 'country'],
  ['CITY', 'city'],
  ['ZIP_CODE', 'postalCode'],
  ['POSTAL_CODE', 'postalCode'],
];

const RANK = new Map(LINKEDIN_PREDEFINED_FIELDS.map(([name], rank) => [name, rank]));
const TARGET = new Map(LINKEDIN_PREDEFINED_FIELDS);

/** Hidden fields with these names fill the lead's UTM attribution. */
const UTM_HIDDEN_FIELDS: Readonly<Record<string, keyof Utm>> = {
  utm_source: 'source',
  utm_medium: 'medium',
  utm_campaign: 'campaign',
  utm_term: 'term',
  utm_content: 'content',
};

export interface MapLinkedInInput {
  notification: LinkedInLeadNotification;
  response: LinkedInLeadResponse;
  form?: LinkedInForm;
  /** When the receipt was written; the last fallback for the lead's created time. */
  receivedAt: string;
}

export interface MapLinkedInOptions {
  /** Country for validating phone numbers written without a country code. */
  defaultCountry: string;
}

/**
 * Maps a fetched lead form response (plus its form version and the notification) onto the canonical raw
 * lead: answers by the form question's `predefinedField` (never by its name, which is in the creator's
 * language), choice answers resolved to their option text, every other answer kept with its question,
 * consent responses joined to the form's consents for their text, and `testLead` as the test flag.
 */
export function mapLinkedInLead(input: MapLinkedInInput, options: MapLinkedInOptions): RawLead {
  const { notification, response, form } = input;
  const locale = formLocale(form);
  const questions = new Map((form?.content.questions ?? []).map((q) => [q.questionId, q]));

  const candidates: FieldCandidate[] = response.formResponse.answers.map((answer) => {
    const question = questions.get(answer.questionId);
    const predefined = question?.predefinedField;
    const target = predefined ? TARGET.get(predefined) : undefined;
    const details = answer.answerDetails;
    let values: string[] = [];
    if (details.textQuestionAnswer) values = [details.textQuestionAnswer.answer];
    else if (details.multipleChoiceAnswer) {
      const options = question?.questionDetails?.multipleChoiceQuestionDetails?.options ?? [];
      values = details.multipleChoiceAnswer.options.map(
        (option) => localizedText(options.find((o) => o.id === option)?.text, locale) ?? option,
      );
    }
    const key = predefined ?? nonEmpty(question?.name) ?? `question_${answer.questionId}`;
    const label = localizedText(question?.question, locale);
    return {
      key,
      ...(label ? { label } : {}),
      values,
      ...(target ? { target } : {}),
      rank: predefined ? (RANK.get(predefined) ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY,
    };
  });
  const { canonical, answers } = pickCanonical(candidates, options.defaultCountry);

  const utm: Utm = {};
  for (const hidden of form?.hiddenFields ?? []) {
    const value = nonEmpty(hidden.value);
    if (!value) continue;
    const utmKey = UTM_HIDDEN_FIELDS[hidden.name.toLowerCase()];
    if (utmKey) utm[utmKey] = value;
    else answers.push({ key: `hidden:${hidden.name}`, values: [value] });
  }

  const form_ = formOf(response.versionedLeadGenFormUrn);
  const formId = form_?.formId ?? notification.formId;
  const campaignId = urnId(response.leadMetadata?.sponsoredLeadMetadata?.campaign);
  const entity = { ...notification.associatedEntity, ...response.associatedEntity };
  const creative = entity.associatedCreative ?? entity.sponsoredCreative;
  const attribution: RawLead['attribution'] = {
    source: 'linkedin',
    ...(formId ? { formId } : {}),
    ...optional('formName', form?.name),
    ...optional('adId', urnId(creative)),
    ...optional('campaignId', campaignId),
    utm,
  };

  return {
    source: 'linkedin',
    platformLeadId: notification.responseId,
    platformCreatedAt:
      isoFromEpoch(response.submittedAt, 'ms') ?? notification.occurredAt ?? input.receivedAt,
    ...canonical,
    answers,
    attribution,
    consents: consentChoices(response, form, locale, formId),
    context: {},
    isTest: response.testLead === true,
  };
}

/**
 * Consent responses joined to the form version's `legalInfo.consents` for the notice text. A consent the
 * form marks `checkRequired` cannot be left unticked, so when LinkedIn sends no response for it the
 * submission is recorded as implied acceptance; otherwise `accepted` decides.
 */
function consentChoices(
  response: LinkedInLeadResponse,
  form: LinkedInForm | undefined,
  locale: string | undefined,
  formId: string | undefined,
): ConsentChoice[] {
  const legal = form?.content.legalInfo;
  const boxes = legal?.consents ?? [];
  const responses = new Map(response.formResponse.consentResponses.map((r) => [r.consentId, r.accepted]));
  const ids = [...new Set([...boxes.map((b) => b.id), ...responses.keys()])];
  const disclaimer = localizedText(legal?.legalDisclaimer, locale);
  const version = legal?.legalInfoId
    ? `linkedin-legal-${legal.legalInfoId}`
    : formId && form?.versionId
      ? `linkedin-form-${formId}-v${form.versionId}`
      : undefined;
  return ids.map((consentId) => {
    const box = boxes.find((b) => b.id === consentId);
    const noticeText = localizedText(box?.consent, locale) ?? disclaimer ?? '';
    const required = box?.checkRequired === true;
    const answered = responses.has(consentId);
    const accepted = responses.get(consentId);
    return {
      purpose: `consent_${consentId}`,
      key: `consent_${consentId}`,
      noticeText,
      noticeVersion: version ?? `sha256-${sha12(noticeText)}`,
      granted: answered ? accepted === true : required,
      method: !answered && required ? 'implied' : 'platform_checkbox',
      required,
    };
  });
}
