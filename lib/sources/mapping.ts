import { createHash } from 'node:crypto';
import type { Answer, ContactField } from '../lead/model.js';
import { normaliseCountry, normaliseEmail, normalisePhone } from '../lead/normalise.js';

/**
 * Helpers the LinkedIn, TikTok and Google mappers share: each platform names its standard fields its own
 * way, but choosing the best value per canonical field and keeping the rest as answers is the same.
 */

/** One answer as a platform delivered it, with the canonical field it may fill (lower rank wins). */
export interface FieldCandidate {
  key: string;
  label?: string;
  values: string[];
  target?: ContactField;
  rank: number;
}

export const nonEmpty = (value: string | undefined): string | undefined =>
  value !== undefined && value.trim() !== '' ? value : undefined;

/**
 * A canonical value the hub's normalisation would reject is kept as an answer instead: the platform has
 * already accepted the submission, so one value we cannot read must not cost the whole lead.
 */
export function acceptable(field: ContactField, value: string, defaultCountry: string): boolean {
  if (field === 'email') return !normaliseEmail(value).issue;
  if (field === 'phone') return !normalisePhone(value, defaultCountry).issue;
  if (field === 'country') return !normaliseCountry(value).issue;
  return true;
}

/**
 * Picks, for each canonical field, the best-ranked candidate with a usable value; every other non-empty
 * candidate (unmapped, outranked or unreadable) becomes an answer with its label and all its values.
 */
export function pickCanonical(
  candidates: readonly FieldCandidate[],
  defaultCountry: string,
): { canonical: Partial<Record<ContactField, string>>; answers: Answer[] } {
  const best = new Map<ContactField, { rank: number; value: string; index: number }>();
  candidates.forEach((candidate, index) => {
    const { target } = candidate;
    const value = candidate.values.find((v) => v.trim() !== '')?.trim();
    if (!target || value === undefined || !acceptable(target, value, defaultCountry)) return;
    const current = best.get(target);
    if (!current || candidate.rank < current.rank) best.set(target, { rank: candidate.rank, value, index });
  });
  const canonical: Partial<Record<ContactField, string>> = {};
  const used = new Set<number>();
  for (const [field, { value, index }] of best) {
    canonical[field] = value;
    used.add(index);
  }
  const answers: Answer[] = [];
  candidates.forEach((candidate, index) => {
    if (used.has(index)) return;
    const values = candidate.values.filter((v) => v.trim() !== '');
    if (values.length === 0) return;
    const label = nonEmpty(candidate.label);
    answers.push({ key: candidate.key, ...(label && label !== candidate.key ? { label } : {}), values });
  });
  return { canonical, answers };
}

/** First 12 hex digits of SHA-256: a stable notice version when the platform gives none. */
export const sha12 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

/** Epoch milliseconds or seconds (number or digit string) as an ISO time; undefined when unreadable. */
export function isoFromEpoch(raw: unknown, unit: 'ms' | 's'): string | undefined {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const ms = Number(text) * (unit === 's' ? 1000 : 1);
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) || ms === 0 ? undefined : date.toISOString();
}

/** The value of an optional attribution field, only when it has one. */
export function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  const v = value === undefined ? undefined : nonEmpty(value);
  return v ? ({ [key]: v } as Record<K, string>) : {};
}
