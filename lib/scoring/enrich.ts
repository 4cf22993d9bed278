import type { Enrichment, EnrichmentClasses } from '../../events/contracts.js';
import type { EmailDomainOptions } from './config.js';
import { emailDomainLists } from './email-domains.js';
import { phoneFacts } from './phone.js';

export type EmailType = NonNullable<Enrichment['emailType']>;

const NO_EXTRAS: EmailDomainOptions = { extraFreeDomains: [], extraDisposableDomains: [] };

/** The part after the last @, lower-cased; undefined when there is none. */
export function emailDomain(email: string | undefined): string | undefined {
  const at = email?.lastIndexOf('@') ?? -1;
  if (!email || at < 1) return undefined;
  const domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
  return domain.includes('.') ? domain : undefined;
}

/**
 * Disposable is checked first: the free-mail list also contains disposable domains. Disposable
 * services hand out subdomains, so parent domains count too (x.mailinator.com).
 */
export function classifyEmailDomain(domain: string, options: EmailDomainOptions = NO_EXTRAS): EmailType {
  const d = domain.toLowerCase();
  const { free, disposable } = emailDomainLists();
  const extraDisposable = new Set(options.extraDisposableDomains.map((x) => x.toLowerCase()));
  for (let candidate = d; candidate.includes('.'); candidate = candidate.slice(candidate.indexOf('.') + 1)) {
    if (disposable.has(candidate) || extraDisposable.has(candidate)) return 'disposable';
  }
  if (free.has(d) || options.extraFreeDomains.some((x) => x.toLowerCase() === d)) return 'free';
  return 'corporate';
}

/**
 * Facts derived from the contact details alone (no network calls): email domain class and, for a
 * corporate address, the company domain; phone country and line type (./phone.ts).
 */
export function enrichContact(
  contact: { email?: string; phone?: string },
  options: EmailDomainOptions = NO_EXTRAS,
): Enrichment {
  const enrichment: Enrichment = {};
  const domain = emailDomain(contact.email);
  if (domain) {
    const type = classifyEmailDomain(domain, options);
    enrichment.emailDomain = domain;
    enrichment.emailType = type;
    // Without a public-suffix list the whole domain is the best guess (mail.acme.com stays as is).
    if (type === 'corporate') enrichment.companyDomain = domain;
  }
  // Captured phones are E.164; anything else has no country to go by, so it is not guessed.
  if (contact.phone?.startsWith('+')) {
    const phone = phoneFacts(contact.phone);
    if (phone.country) enrichment.phoneCountry = phone.country;
    if (phone.lineType) enrichment.phoneLineType = phone.lineType;
  }
  return enrichment;
}

/** The enrichment's classes only, as LeadScored carries them: the domains are part of the email address. */
export function enrichmentClasses(enrichment: Enrichment): EnrichmentClasses {
  const { emailType, phoneCountry, phoneLineType } = enrichment;
  return {
    ...(emailType ? { emailType } : {}),
    ...(phoneCountry ? { phoneCountry } : {}),
    ...(phoneLineType ? { phoneLineType } : {}),
  };
}

/** The whole enrichment again, from its classes and the email address read back from the store. */
export function enrichmentWithDomains(classes: EnrichmentClasses, email: string | undefined): Enrichment {
  const domain = emailDomain(email);
  if (!domain) return { ...classes };
  return {
    ...classes,
    emailDomain: domain,
    ...(classes.emailType === 'corporate' ? { companyDomain: domain } : {}),
  };
}
