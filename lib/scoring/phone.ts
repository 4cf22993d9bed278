import { parsePhoneNumberFromString } from 'libphonenumber-js/core';
import { phoneMetadata } from '../lead/phone-metadata.js';

/**
 * Line type given to a number that has the form of a phone number in its country (ingest accepted it)
 * but lies in no range that country assigns. A scoring rule of kind `phoneLineType` can match it.
 */
export const INVALID_PHONE_LINE_TYPE = 'INVALID';

export interface PhoneFacts {
  /** ISO alpha-2 country of the number's range. */
  country?: string;
  /** libphonenumber's line type (MOBILE, FIXED_LINE, FIXED_LINE_OR_MOBILE, VOIP, ...), or INVALID. */
  lineType?: string;
}

/**
 * What libphonenumber's full ('max') metadata says of an E.164 number: its country and line type.
 * Ingest checks numbers with the smaller 'min' metadata (lib/lead/normalise.ts), which cannot tell
 * assigned ranges from unassigned ones; this is where an unassigned one is caught.
 */
export function phoneFacts(e164: string): PhoneFacts {
  const parsed = parsePhoneNumberFromString(e164, phoneMetadata('max'));
  if (!parsed) return {};
  if (!parsed.isValid()) return { lineType: INVALID_PHONE_LINE_TYPE };
  const lineType = parsed.getType();
  return { ...(parsed.country ? { country: parsed.country } : {}), ...(lineType ? { lineType } : {}) };
}
