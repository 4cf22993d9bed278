import { describe, expect, it } from 'vitest';
import { normaliseLead } from '../../../lib/lead/normalise.js';
import type { SandboxLinkedInForm, SandboxLinkedInResponse } from '../../../lib/sandbox/linkedin-api.js';
import {
  LINKEDIN_FORM_ID,
  linkedInDemoForm,
  linkedInResponse,
} from '../../../lib/sandbox/linkedin-fixtures.js';
import {
  type LinkedInForm,
  LinkedInFormSchema,
  type LinkedInLeadResponse,
  LinkedInLeadResponseSchema,
} from '../../../lib/sources/linkedin/fetch.js';
import { LINKEDIN_PREDEFINED_FIELDS, mapLinkedInLead } from '../../../lib/sources/linkedin/map.js';
import type { LinkedInLeadNotification } from '../../../lib/sources/linkedin/parse.js';
import { parseLosslessJson } from '../../../lib/sources/meta/parse.js';

/** Through the wire and the client's schemas, as capture sees them. */
const asResponse = (r: SandboxLinkedInResponse): LinkedInLeadResponse =>
  LinkedInLeadResponseSchema.parse(parseLosslessJson(JSON.stringify(r)));
const asForm = (f: SandboxLinkedInForm): LinkedInForm =>
  LinkedInFormSchema.parse(parseLosslessJson(JSON.stringify(f)));

const RECEIVED = '2026-11-30T10:00:05.000Z';
const notification: LinkedInLeadNotification = {
  responseId: 'resp-1',
  action: 'CREATED',
  formId: LINKEDIN_FORM_ID,
  formVersion: '2',
  associatedEntity: { sponsoredCreative: 'urn:li:sponsoredCreative:999' },
  occurredAt: '2026-11-30T09:59:59.000Z',
};
const map = (response: SandboxLinkedInResponse, form: SandboxLinkedInForm | undefined = linkedInDemoForm) =>
  mapLinkedInLead(
    {
      notification,
      response: asResponse(response),
      ...(form ? { form: asForm(form) } : {}),
      receivedAt: RECEIVED,
    },
    { defaultCountry: 'US' },
  );

/** A form with one text question per predefined field, in the order given. */
function formWith(fields: readonly string[]): SandboxLinkedInForm {
  return {
    ...linkedInDemoForm,
    content: {
      questions: fields.map((field, i) => ({
        questionId: 100 + i,
        name: field.toLowerCase(),
        question: { localized: { en_US: `Q ${field}` } },
        predefinedField: field,
        questionDetails: { textQuestionDetails: {} },
      })),
    },
  };
}
function answersFor(values: Record<string, string>, fields: readonly string[]): SandboxLinkedInResponse {
  return linkedInResponse(
    'resp-1',
    {},
    {
      formResponse: {
        consentResponses: [],
        answers: fields
          .map((field, i) => ({ questionId: 100 + i, answer: values[field] }))
          .filter((a): a is { questionId: number; answer: string } => a.answer !== undefined)
          .map(({ questionId, answer }) => ({
            questionId,
            answerDetails: { textQuestionAnswer: { answer } },
          })),
      },
    },
  );
}

describe('LinkedIn mapping: predefined fields', () => {
  it('maps every known predefinedField onto its canonical field', () => {
    const values: Record<string, string> = {
      EMAIL: 'kevin@example.com',
      FIRST_NAME: 'Kevin',
      LAST_NAME: 'Johnson',
      PHONE_NUMBER: '+14155552671',
      COMPANY_NAME: 'Contoso',
      JOB_TITLE: 'Head of Growth',
      COUNTRY: 'United States',
      CITY: 'Seattle',
      ZIP_CODE: '98101',
    };
    const fields = Object.keys(values);
    const lead = map(answersFor(values, fields), formWith(fields));
    expect(lead).toMatchObject({
      email: 'kevin@example.com',
      firstName: 'Kevin',
      lastName: 'Johnson',
      phone: '+14155552671',
      company: 'Contoso',
      jobTitle: 'Head of Growth',
      country: 'United States',
      city: 'Seattle',
      postalCode: '98101',
    });
    expect(lead.answers).toEqual([]);
  });

  it('has a canonical field for each entry of its table, work variants second', () => {
    for (const [field, target] of LINKEDIN_PREDEFINED_FIELDS) {
      const value =
        target === 'email'
          ? 'a@b.co'
          : target === 'phone'
            ? '+14155552671'
            : target === 'country'
              ? 'FR'
              : 'x';
      const lead = map(answersFor({ [field]: value }, [field]), formWith([field]));
      expect((lead as Record<string, unknown>)[target], field).toBe(value);
    }
    const both = map(
      answersFor({ WORK_EMAIL: 'kevin@contoso.com', EMAIL: 'kevin@gmail.com' }, ['WORK_EMAIL', 'EMAIL']),
      formWith(['WORK_EMAIL', 'EMAIL']),
    );
    expect(both.email).toBe('kevin@gmail.com');
    expect(both.answers).toEqual([
      { key: 'WORK_EMAIL', label: 'Q WORK_EMAIL', values: ['kevin@contoso.com'] },
    ]);
    const workOnly = map(
      answersFor({ WORK_EMAIL: 'kevin@contoso.com' }, ['WORK_EMAIL']),
      formWith(['WORK_EMAIL']),
    );
    expect(workOnly.email).toBe('kevin@contoso.com');
    const phones = map(
      answersFor({ WORK_PHONE_NUMBER: '+14155550100', PHONE_NUMBER: '+14155552671' }, [
        'WORK_PHONE_NUMBER',
        'PHONE_NUMBER',
      ]),
      formWith(['WORK_PHONE_NUMBER', 'PHONE_NUMBER']),
    );
    expect(phones.phone).toBe('+14155552671');
  });

  it('keeps other predefined fields, custom questions and unreadable values as answers with their question', () => {
    const fields = ['EMAIL', 'SENIORITY', 'INDUSTRY'];
    const lead = map(
      answersFor({ EMAIL: 'not an email', SENIORITY: 'VP', INDUSTRY: 'Software' }, fields),
      formWith(fields),
    );
    expect(lead.email).toBeUndefined();
    expect(lead.answers).toEqual([
      { key: 'EMAIL', label: 'Q EMAIL', values: ['not an email'] },
      { key: 'SENIORITY', label: 'Q SENIORITY', values: ['VP'] },
      { key: 'INDUSTRY', label: 'Q INDUSTRY', values: ['Software'] },
    ]);
  });

  it('maps by predefinedField, never by the question name', () => {
    const form = formWith(['EMAIL']);
    const question = form.content.questions[0];
    if (!question) throw new Error('no question');
    form.content.questions[0] = { ...question, name: 'firstName', predefinedField: 'EMAIL' };
    expect(map(answersFor({ EMAIL: 'kevin@example.com' }, ['EMAIL']), form)).toMatchObject({
      email: 'kevin@example.com',
    });
    const custom = formWith(['EMAIL']);
    const { predefinedField: _p, ...withoutPredefined } = custom.content
      .questions[0] as (typeof custom.content.questions)[0];
    custom.content.questions[0] = { ...withoutPredefined, name: 'email' };
    const lead = map(answersFor({ EMAIL: 'kevin@example.com' }, ['EMAIL']), custom);
    expect(lead.email).toBeUndefined();
    expect(lead.answers).toEqual([{ key: 'email', label: 'Q EMAIL', values: ['kevin@example.com'] }]);
  });
});

describe('LinkedIn mapping: the demo form', () => {
  it('maps the fixture lead, resolving choices and keeping hidden fields', () => {
    const lead = map(linkedInResponse('resp-1'));
    expect(lead).toMatchObject({
      source: 'linkedin',
      platformLeadId: 'resp-1',
      email: 'maria.garcia@acme-robotics.com',
      firstName: 'Maria',
      lastName: 'Garcia',
      phone: '+14155552671',
      company: 'Acme Robotics',
      jobTitle: 'VP Sales',
      country: 'US',
      isTest: false,
      attribution: {
        source: 'linkedin',
        formId: LINKEDIN_FORM_ID,
        formName: 'Book a demo - LinkedIn Nov',
        campaignId: '198356826',
        adId: '241257736',
        utm: { source: 'linkedin', campaign: 'q4-demos' },
      },
    });
    expect(lead.answers).toEqual([
      { key: 'SENIORITY', label: 'Seniority', values: ['VP'] },
      { key: 'interests', label: 'Which products interest you?', values: ['Lead routing', 'CRM sync'] },
    ]);
    expect(normaliseLead(lead, { leadId: 'ld_1', receivedAt: RECEIVED }, { defaultCountry: 'US' }).ok).toBe(
      true,
    );
  });

  it('keeps an unknown option id and an answer to a question the form lacks', () => {
    const response = linkedInResponse('resp-1', { email: 'a@b.co', interests: [7] });
    response.formResponse.answers.push({
      questionId: 555,
      answerDetails: { textQuestionAnswer: { answer: 'Hi' } },
    });
    const lead = map(response);
    expect(lead.answers).toContainEqual({
      key: 'interests',
      label: 'Which products interest you?',
      values: ['7'],
    });
    expect(lead.answers).toContainEqual({ key: 'question_555', values: ['Hi'] });
  });

  it('flags testLead leads as tests', () => {
    expect(map(linkedInResponse('resp-1', undefined, { testLead: true })).isTest).toBe(true);
  });

  it('takes the created time from submittedAt, else the notification, else the receipt', () => {
    const at = Date.parse('2026-11-30T09:58:00.000Z');
    expect(map(linkedInResponse('resp-1', undefined, { submittedAt: at })).platformCreatedAt).toBe(
      '2026-11-30T09:58:00.000Z',
    );
    const { submittedAt: _s, ...rest } = linkedInResponse('resp-1');
    expect(map(rest as SandboxLinkedInResponse).platformCreatedAt).toBe('2026-11-30T09:59:59.000Z');
    const lead = mapLinkedInLead(
      {
        notification: { responseId: 'r', action: 'CREATED' },
        response: asResponse(rest as SandboxLinkedInResponse),
        receivedAt: RECEIVED,
      },
      { defaultCountry: 'US' },
    );
    expect(lead.platformCreatedAt).toBe(RECEIVED);
  });

  it("falls back to the notification's creative when the response names none", () => {
    const { associatedEntity: _a, ...rest } = linkedInResponse('resp-1');
    expect(map(rest as SandboxLinkedInResponse).attribution.adId).toBe('999');
  });
});

describe('LinkedIn mapping: consent', () => {
  it("joins consent responses to the form's consents, with their text and the legal info's version", () => {
    const lead = map(linkedInResponse('resp-1', { email: 'a@b.co', consents: { 0: true, 1: true } }));
    expect(lead.consents).toEqual([
      {
        purpose: 'consent_0',
        key: 'consent_0',
        noticeText: 'Yes, send me product news and offers by email. I can unsubscribe at any time.',
        noticeVersion: 'linkedin-legal-4412',
        granted: true,
        method: 'platform_checkbox',
        required: false,
      },
      {
        purpose: 'consent_1',
        key: 'consent_1',
        noticeText: 'I agree that Acme Robotics stores my details to contact me about this request.',
        noticeVersion: 'linkedin-legal-4412',
        granted: true,
        method: 'platform_checkbox',
        required: true,
      },
    ]);
  });

  it('records an unticked box as not granted, and a required one without a response as implied', () => {
    const lead = map(linkedInResponse('resp-1', { email: 'a@b.co', consents: { 0: false } }));
    expect(lead.consents?.map((c) => [c.key, c.granted, c.method, c.required])).toEqual([
      ['consent_0', false, 'platform_checkbox', false],
      ['consent_1', true, 'implied', true],
    ]);
    const none = map(linkedInResponse('resp-1', { email: 'a@b.co', consents: {} }));
    expect(none.consents?.find((c) => c.key === 'consent_0')).toMatchObject({ granted: false });
  });

  it('keeps a response to a consent the form does not list, with the disclaimer as its text', () => {
    const lead = map(linkedInResponse('resp-1', { email: 'a@b.co', consents: { 9: true } }));
    expect(lead.consents).toContainEqual(
      expect.objectContaining({
        key: 'consent_9',
        granted: true,
        noticeText: 'Acme Robotics processes your details to answer your request.',
      }),
    );
  });

  it('versions the notice by the form version when the form has no legal info id', () => {
    const form: SandboxLinkedInForm = {
      ...linkedInDemoForm,
      content: {
        ...linkedInDemoForm.content,
        legalInfo: {
          privacyPolicyUrl: 'https://x',
          consents: [{ id: 0, consent: { localized: { en_US: 'OK?' } }, checkRequired: false }],
        } as never,
      },
    };
    const lead = map(linkedInResponse('resp-1', { email: 'a@b.co', consents: { 0: true } }), form);
    expect(lead.consents?.[0]?.noticeVersion).toBe(`linkedin-form-${LINKEDIN_FORM_ID}-v2`);
  });

  it('has no consents when the form has none and the lead answered none', () => {
    const form: SandboxLinkedInForm = {
      ...linkedInDemoForm,
      content: { questions: linkedInDemoForm.content.questions },
    };
    expect(map(linkedInResponse('resp-1', { email: 'a@b.co', consents: {} }), form).consents).toEqual([]);
  });
});
