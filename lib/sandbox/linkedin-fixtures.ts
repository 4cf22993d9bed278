import type { SandboxLinkedInForm, SandboxLinkedInResponse } from './linkedin-api.js';

/**
 * A small, realistic LinkedIn Lead Gen account for the demo and tests: one sponsored ad account, a B2B
 * demo-request form (version 2 of it) with predefined fields, a multiple-choice question, hidden UTM
 * fields and two consents (one optional, one required). Shapes follow LinkedIn's Postman examples.
 */
export const LINKEDIN_ACCOUNT = 'urn:li:sponsoredAccount:507404993';
export const LINKEDIN_FORM_ID = '7234246';
export const LINKEDIN_FORM_VERSION = '2';
export const LINKEDIN_CAMPAIGN = 'urn:li:sponsoredCampaign:198356826';
export const LINKEDIN_CREATIVE = 'urn:li:sponsoredCreative:241257736';

const en = (text: string) => ({ localized: { en_US: text } });

/** Question ids of the demo form, by what they ask. */
export const LINKEDIN_QUESTIONS = {
  FIRST_NAME: 107234246,
  LAST_NAME: 207234246,
  EMAIL: 307234246,
  PHONE_NUMBER: 407234246,
  COMPANY_NAME: 507234246,
  JOB_TITLE: 607234246,
  SENIORITY: 707234246,
  COUNTRY: 807234246,
  INTERESTS: 907234246,
} as const;

const text = (questionId: number, name: string, label: string, predefinedField?: string) => ({
  questionId,
  name,
  question: en(label),
  ...(predefinedField ? { predefinedField } : {}),
  questionDetails: { textQuestionDetails: { maxResponseLength: 300 } },
  responseRequired: true,
  responseEditable: true,
});

export const linkedInDemoForm: SandboxLinkedInForm = {
  id: Number(LINKEDIN_FORM_ID),
  versionId: Number(LINKEDIN_FORM_VERSION),
  name: 'Book a demo - LinkedIn Nov',
  state: 'PUBLISHED',
  owner: { sponsoredAccount: LINKEDIN_ACCOUNT },
  creationLocale: { country: 'US', language: 'en' },
  hiddenFields: [
    { name: 'utm_source', value: 'linkedin' },
    { name: 'utm_campaign', value: 'q4-demos' },
  ],
  content: {
    questions: [
      text(LINKEDIN_QUESTIONS.FIRST_NAME, 'firstName', 'First name', 'FIRST_NAME'),
      text(LINKEDIN_QUESTIONS.LAST_NAME, 'lastName', 'Last name', 'LAST_NAME'),
      text(LINKEDIN_QUESTIONS.EMAIL, 'emailAddress', 'Email address', 'EMAIL'),
      text(LINKEDIN_QUESTIONS.PHONE_NUMBER, 'phoneNumber', 'Phone number', 'PHONE_NUMBER'),
      text(LINKEDIN_QUESTIONS.COMPANY_NAME, 'companyName', 'Company name', 'COMPANY_NAME'),
      text(LINKEDIN_QUESTIONS.JOB_TITLE, 'jobTitle', 'Job title', 'JOB_TITLE'),
      text(LINKEDIN_QUESTIONS.SENIORITY, 'seniority', 'Seniority', 'SENIORITY'),
      text(LINKEDIN_QUESTIONS.COUNTRY, 'country', 'Country/Region', 'COUNTRY'),
      {
        questionId: LINKEDIN_QUESTIONS.INTERESTS,
        name: 'interests',
        question: en('Which products interest you?'),
        questionDetails: {
          multipleChoiceQuestionDetails: {
            options: [
              { id: 0, text: en('Lead routing') },
              { id: 1, text: en('Slack alerts') },
              { id: 2, text: en('CRM sync') },
            ],
          },
        },
        responseRequired: false,
        responseEditable: true,
      },
    ],
    legalInfo: {
      legalInfoId: 4412,
      privacyPolicyUrl: 'https://acme.example/privacy',
      legalDisclaimer: en('Acme Robotics processes your details to answer your request.'),
      consents: [
        {
          id: 0,
          consent: en('Yes, send me product news and offers by email. I can unsubscribe at any time.'),
          checkRequired: false,
        },
        {
          id: 1,
          consent: en('I agree that Acme Robotics stores my details to contact me about this request.'),
          checkRequired: true,
        },
      ],
    },
  },
};

export interface LinkedInPerson {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  company?: string;
  jobTitle?: string;
  seniority?: string;
  country?: string;
  /** Option ids of the multiple-choice question. */
  interests?: number[];
  /** Consent id → ticked. */
  consents?: Record<number, boolean>;
}

const maria: LinkedInPerson = {
  firstName: 'Maria',
  lastName: 'Garcia',
  email: 'maria.garcia@acme-robotics.com',
  phone: '+14155552671',
  company: 'Acme Robotics',
  jobTitle: 'VP Sales',
  seniority: 'VP',
  country: 'US',
  interests: [0, 2],
  consents: { 0: true, 1: true },
};

/** A lead form response on the demo form; the person defaults to the Meta demo's Maria Garcia. */
export function linkedInResponse(
  id: string,
  person: LinkedInPerson = maria,
  overrides: Partial<SandboxLinkedInResponse> = {},
): SandboxLinkedInResponse {
  const q = LINKEDIN_QUESTIONS;
  const textAnswers: [number, string | undefined][] = [
    [q.FIRST_NAME, person.firstName],
    [q.LAST_NAME, person.lastName],
    [q.EMAIL, person.email],
    [q.PHONE_NUMBER, person.phone],
    [q.COMPANY_NAME, person.company],
    [q.JOB_TITLE, person.jobTitle],
    [q.SENIORITY, person.seniority],
    [q.COUNTRY, person.country],
  ];
  return {
    id,
    owner: { sponsoredAccount: LINKEDIN_ACCOUNT },
    submitter: 'urn:li:person:BcLKblgopR',
    leadType: 'SPONSORED',
    leadMetadata: { sponsoredLeadMetadata: { campaign: LINKEDIN_CAMPAIGN } },
    versionedLeadGenFormUrn: `urn:li:versionedLeadGenForm:(urn:li:leadGenForm:${LINKEDIN_FORM_ID},${LINKEDIN_FORM_VERSION})`,
    submittedAt: Date.now(),
    testLead: false,
    associatedEntity: { associatedCreative: LINKEDIN_CREATIVE },
    formResponse: {
      consentResponses: Object.entries(person.consents ?? {}).map(([consentId, accepted]) => ({
        consentId: Number(consentId),
        accepted,
      })),
      answers: [
        ...textAnswers
          .filter((a): a is [number, string] => a[1] !== undefined)
          .map(([questionId, answer]) => ({ questionId, answerDetails: { textQuestionAnswer: { answer } } })),
        ...(person.interests
          ? [
              {
                questionId: q.INTERESTS,
                answerDetails: { multipleChoiceAnswer: { options: person.interests } },
              },
            ]
          : []),
      ],
    },
    ...overrides,
  };
}
