import { createHash } from 'node:crypto';

/** Names the recipe inside every hashed document, so a future recipe can never collide with this one. */
export const PROOF_RECIPE = 'leadhub-consent-proof/1';

/**
 * JSON Canonicalization Scheme (RFC 8785): object keys sorted by UTF-16 code units, no whitespace,
 * strings and numbers as ECMAScript's JSON.stringify writes them. Members whose value is undefined are
 * left out (as JSON.stringify does); an undefined array element becomes null. Any JCS library (Python
 * `jcs`, Java `json-canonicalization`, Go `webpki.org/jsoncanonicalizer`) gives the same bytes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no NaN or Infinity');
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
  }
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return canonicalJson(withJson.toJSON());
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  if (value instanceof Set) return canonicalJson([...value].sort());
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((k) => record[k] !== undefined && typeof record[k] !== 'function')
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
  return `{${members.join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What a consent proof hash covers. */
export interface ConsentProofInput {
  /** The raw submission as the hub received and kept it (the receipt's payload); null when none. */
  submission: unknown;
  noticeText: string;
  noticeVersion: string;
  purpose: string;
  granted: boolean;
  /** When the choice was made (ISO 8601). */
  at: string;
}

/** The document that is hashed: README "Proof hash" shows how to rebuild it from an export. */
export function consentProofDocument(input: ConsentProofInput): Record<string, unknown> {
  return {
    recipe: PROOF_RECIPE,
    submission: input.submission ?? null,
    noticeText: input.noticeText,
    noticeVersion: input.noticeVersion,
    purpose: input.purpose,
    granted: input.granted,
    at: input.at,
  };
}

/**
 * SHA-256 (hex) of the canonical proof document. The same submission, notice and choice always give the
 * same hash; any change to the notice text or version, the submission or the time gives another.
 */
export function consentProofHash(input: ConsentProofInput): string {
  return sha256Hex(canonicalJson(consentProofDocument(input)));
}
