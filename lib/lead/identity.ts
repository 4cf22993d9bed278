import { createHash, createHmac } from 'node:crypto';
import type { Lead, Source } from './model.js';

/**
 * An identity key: a canonical email, an E.164 phone or a platform's own user id, peppered and hashed (a
 * bare hash is still PII).
 */
export interface IdentityKey {
  kind: 'email' | 'phone' | 'platform';
  hash: string;
}

/** A platform's stable id for the person (not for the lead), where the platform gives one. */
export interface PlatformUserId {
  source: Source;
  id: string;
}

export function identityKeyHash(pepper: string, kind: IdentityKey['kind'], value: string): string {
  return createHmac('sha256', pepper).update(`${kind}:${value}`).digest('hex');
}

/** Domains that are one mailbox under two names. */
const DOMAIN_ALIASES: Readonly<Record<string, string>> = { 'googlemail.com': 'gmail.com' };
/** Providers that ignore dots in the local part (Gmail only; Google Workspace domains do not). */
const DOT_BLIND_DOMAINS = new Set(['gmail.com']);
/**
 * Providers that deliver `name+tag@` to `name@`. Conservative: only consumer providers that document
 * plus addressing; on other domains `+` may name a different mailbox, so it is kept.
 */
export const PLUS_TAG_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'fastmail.com',
  'proton.me',
  'protonmail.com',
  'pm.me',
]);

/**
 * The mailbox an (already normalised, lower-case) email reaches, for identity only: the stored email
 * stays as the person typed it. `J.Doe+ads@googlemail.com` and `jdoe@gmail.com` are one person.
 */
export function canonicalEmail(email: string): string {
  const value = email.trim().toLowerCase();
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return value;
  const domain = DOMAIN_ALIASES[value.slice(at + 1)] ?? value.slice(at + 1);
  let local = value.slice(0, at);
  if (PLUS_TAG_DOMAINS.has(domain)) {
    const plus = local.indexOf('+');
    if (plus > 0) local = local.slice(0, plus);
  }
  if (DOT_BLIND_DOMAINS.has(domain)) local = local.replaceAll('.', '') || local;
  return `${local}@${domain}`;
}

/** The key of one identifier, canonicalised the same way capture does it. */
export function identityKeyFor(pepper: string, kind: IdentityKey['kind'], value: string): IdentityKey {
  const canonical = kind === 'email' ? canonicalEmail(value) : value;
  return { kind, hash: identityKeyHash(pepper, kind, canonical) };
}

/**
 * Keys in claim order: email first, so two submissions of one person race on the same key; then phone,
 * then platform user ids.
 */
export function identityKeys(
  lead: Pick<Lead, 'email' | 'phone'> & { platformUserIds?: readonly PlatformUserId[] },
  pepper: string,
): IdentityKey[] {
  const keys: IdentityKey[] = [];
  if (lead.email) keys.push(identityKeyFor(pepper, 'email', lead.email));
  if (lead.phone) keys.push(identityKeyFor(pepper, 'phone', lead.phone));
  for (const user of lead.platformUserIds ?? []) {
    const key = identityKeyFor(pepper, 'platform', `${user.source}:${user.id}`);
    if (!keys.some((k) => k.hash === key.hash)) keys.push(key);
  }
  return keys;
}

function shortHash(input: string): string {
  return createHash('sha256').update(input).digest('base64url').slice(0, 22);
}

/** Deterministic, so a re-run of capture for the same delivery writes the same lead. */
export function leadIdFor(source: Source, platformLeadId: string): string {
  return `ld_${shortHash(`lead:${source}:${platformLeadId}`)}`;
}

/** The contact id a lead would found if none of its identity keys is known yet (deterministic too). */
export function candidateContactId(leadId: string): string {
  return `ct_${shortHash(`contact:${leadId}`)}`;
}

/** A deterministic id for any other record (withdrawals, erasures), from its parts. */
export function recordIdFor(prefix: string, ...parts: string[]): string {
  return `${prefix}_${shortHash(parts.join('\u0000'))}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
