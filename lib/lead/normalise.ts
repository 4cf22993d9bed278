import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import * as z from '../zod.js';
import { boundRawLead, cleanText, fitLead } from './bound.js';
import { LEAD_LIMITS } from './limits.js';
import { type FieldIssue, type Lead, LeadSchema, type RawLead, RawLeadSchema } from './model.js';
import { phoneMetadata } from './phone-metadata.js';

export interface NormaliseOptions {
  /** ISO 3166-1 alpha-2 country used for phone numbers written without a country code. */
  defaultCountry: string;
  /** Canonical fields that must be present after normalisation. */
  required?: readonly string[];
}

/**
 * A lead, with what the limits cut from it (field names and limits, no values; empty when nothing was
 * cut), or the field issues that make it no lead.
 */
export type NormaliseResult =
  | { ok: true; lead: Lead; cuts: FieldIssue[] }
  | { ok: false; issues: FieldIssue[] };

const emailSchema = z.email();

export function normaliseEmail(raw: string | undefined): { value?: string; issue?: string } {
  const value = tidy(raw)?.toLowerCase();
  if (!value) return {};
  if (value.length > LEAD_LIMITS.emailChars)
    return { issue: `is longer than ${LEAD_LIMITS.emailChars} characters` };
  return emailSchema.safeParse(value).success ? { value } : { issue: 'is not a valid email address' };
}

/**
 * E.164 form and country of a phone number that matches its country's number pattern. This needs only
 * libphonenumber's 'min' metadata (half the size of 'max'), which is all ingest, capture and privacy
 * lookups load; whether the number's range is assigned, and its line type, need 'max' and are left to
 * enrichment (lib/scoring/phone.ts).
 */
export function normalisePhone(
  raw: string | undefined,
  defaultCountry: string,
): { value?: string; country?: string; issue?: string } {
  const value = tidy(raw);
  if (!value) return {};
  const parsed = parsePhoneNumberFromString(
    value,
    defaultCountry.toUpperCase() as CountryCode,
    phoneMetadata('min'),
  );
  if (!parsed?.isValid()) return { issue: 'is not a valid phone number' };
  return { value: parsed.number, country: parsed.country };
}

/** Cleans (see cleanText) and collapses whitespace; empty strings become undefined. */
export function tidy(raw: string | undefined): string | undefined {
  const value = raw === undefined ? undefined : cleanText(raw).replace(/\s+/g, ' ').trim();
  return value ? value : undefined;
}

/** Capitalises a name written in one case ("JANE O'NEIL-SMITH" → "Jane O'Neil-Smith"); mixed case is kept. */
export function tidyName(raw: string | undefined): string | undefined {
  const value = tidy(raw);
  if (!value) return undefined;
  const oneCase = value === value.toLowerCase() || value === value.toUpperCase();
  if (!oneCase) return value;
  return value
    .toLowerCase()
    .replace(/(^|[\s'’-])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

export function splitName(
  fullName: string | undefined,
  firstName: string | undefined,
  lastName: string | undefined,
): { fullName?: string; firstName?: string; lastName?: string } {
  let first = tidyName(firstName);
  let last = tidyName(lastName);
  const full = tidyName(fullName);
  if (full && !first && !last) {
    const parts = full.split(' ');
    first = parts[0];
    last = parts.length > 1 ? parts.slice(1).join(' ') : undefined;
  }
  const joined = [first, last].filter(Boolean).join(' ');
  return { fullName: full ?? (joined || undefined), firstName: first, lastName: last };
}

let countryByName: Map<string, string> | undefined;

/** Accepts an ISO alpha-2 code or an English country name; returns the upper-case alpha-2 code. */
export function normaliseCountry(raw: string | undefined): { value?: string; issue?: string } {
  const value = tidy(raw);
  if (!value) return {};
  if (!countryByName) countryByName = buildCountryIndex();
  const code = countryByName.get(value.toLowerCase());
  return code ? { value: code } : { issue: 'is not a known country' };
}

/** Region codes that are not countries (EU, UN, Eurozone, unknown, outlying Oceania). */
const NOT_COUNTRIES = new Set(['EU', 'UN', 'EZ', 'ZZ', 'QO']);

function buildCountryIndex(): Map<string, string> {
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const index = new Map<string, string>();
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (const a of letters) {
    for (const b of letters) {
      const code = a + b;
      const name = names.of(code);
      if (!name || name === code || NOT_COUNTRIES.has(code)) continue;
      // Deprecated codes (UK, DD, YU, ...) resolve to the current ISO code, as do their names.
      const canonical = new Intl.Locale(`und-${code}`).region ?? code;
      index.set(code.toLowerCase(), canonical);
      if (canonical === code) index.set(name.toLowerCase(), code);
    }
  }
  for (const [alias, code] of [
    ['usa', 'US'],
    ['united states of america', 'US'],
    ['great britain', 'GB'],
    ['england', 'GB'],
  ] as const) {
    index.set(alias, code);
  }
  return index;
}

/**
 * Turns a source's raw lead into the canonical lead. Every problem is collected, so a web form can list
 * each bad field at once instead of one per round trip. Text is cleaned and the lead brought within
 * LEAD_LIMITS (lib/lead/limits.ts): what had to be cut is returned as `cuts` and the lead is flagged
 * `truncated`, so a platform's lead is never lost to a limit; a web form refuses such a post instead.
 */
export function normaliseLead(
  input: RawLead,
  ids: { leadId: string; receivedAt: string },
  options: NormaliseOptions,
): NormaliseResult {
  const parsedRaw = RawLeadSchema.safeParse(input);
  if (!parsedRaw.success) {
    return {
      ok: false,
      issues: parsedRaw.error.issues.map((i) => ({
        field: i.path.join('.') || '(body)',
        message: i.message,
      })),
    };
  }
  const { raw, cuts } = boundRawLead(parsedRaw.data);
  const issues: FieldIssue[] = [];
  const email = normaliseEmail(raw.email);
  if (email.issue) issues.push({ field: 'email', message: email.issue });
  const phone = normalisePhone(raw.phone, options.defaultCountry);
  if (phone.issue) issues.push({ field: 'phone', message: phone.issue });
  const country = normaliseCountry(raw.country);
  if (country.issue) issues.push({ field: 'country', message: country.issue });
  const names = splitName(raw.fullName, raw.firstName, raw.lastName);

  const candidate = {
    leadId: ids.leadId,
    source: raw.source,
    platformLeadId: raw.platformLeadId,
    platformCreatedAt: raw.platformCreatedAt,
    receivedAt: ids.receivedAt,
    email: email.value,
    phone: phone.value,
    phoneCountry: phone.country,
    ...names,
    company: tidy(raw.company),
    jobTitle: tidy(raw.jobTitle),
    country: country.value ?? phone.country,
    city: tidy(raw.city),
    postalCode: tidy(raw.postalCode),
    answers: raw.answers,
    attribution: raw.attribution,
    consents: raw.consents,
    context: raw.context,
    isTest: raw.isTest,
  };
  for (const field of options.required ?? []) {
    const present = (candidate as Record<string, unknown>)[field];
    const flagged = issues.some((i) => i.field === field);
    if ((present === undefined || present === '') && !flagged) issues.push({ field, message: 'is required' });
  }
  if (issues.length > 0) return { ok: false, issues };
  const lead = LeadSchema.safeParse(dropUndefined(candidate));
  if (!lead.success) {
    return {
      ok: false,
      issues: lead.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    };
  }
  const fitted = fitLead(lead.data);
  if (fitted.cut) cuts.push(fitted.cut);
  return { ok: true, lead: cuts.length > 0 ? { ...fitted.lead, truncated: true } : fitted.lead, cuts };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
