import { createHash, createHmac } from 'node:crypto';
import type { Lead, Source } from './model.js';

/** An identity key: a normalised email or E.164 phone, peppered and hashed (a bare hash is still PII). */
export interface IdentityKey {
  kind: 'email' | 'phone';
  hash: string;
}

export function identityKeyHash(pepper: string, kind: IdentityKey['kind'], value: string): string {
  return createHmac('sha256', pepper).update(`${kind}:${value}`).digest('hex');
}

/** Keys in claim order: email first, so two submissions of one person race on the same key. */
export function identityKeys(lead: Pick<Lead, 'email' | 'phone'>, pepper: string): IdentityKey[] {
  const keys: IdentityKey[] = [];
  if (lead.email) keys.push({ kind: 'email', hash: identityKeyHash(pepper, 'email', lead.email) });
  if (lead.phone) keys.push({ kind: 'phone', hash: identityKeyHash(pepper, 'phone', lead.phone) });
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

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
