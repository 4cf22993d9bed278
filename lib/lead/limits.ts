/**
 * What one lead may carry, whatever its source. Normalisation (lib/lead/normalise.ts) applies these to
 * every source's raw lead: a platform lead over a limit is cut down and flagged `truncated` (its receipt
 * keeps the submission as it came); a web form over a limit is refused at the door with 400
 * invalid_fields naming the field, so the person can fix it. Lengths count UTF-16 code units, as
 * JavaScript's `length` does.
 */
export const LEAD_LIMITS = {
  /** One text value: a contact field, an answer's value, an attribution value, a header-derived value. */
  textChars: 10_000,
  /** Answers (questions other than the contact fields) one lead keeps. */
  answers: 200,
  /** Values one answer keeps (the options ticked in a multi-select). */
  valuesPerAnswer: 100,
  /** An answer's key (a form's field name, a platform's question id) and a click id's name. */
  keyChars: 200,
  /** An answer's label (the question's text). */
  labelChars: 1_000,
  /** Consent choices one lead keeps. */
  consents: 50,
  /** Click ids (gclid, fbclid, ...) one lead keeps. */
  clickIds: 20,
  /** The submitter's user agent. */
  userAgentChars: 512,
  /** An email address (RFC 5321's path limit). */
  emailChars: 254,
  /**
   * The whole normalised lead as JSON, in UTF-8 bytes. Every lead event carries at most a part of the lead
   * (ids, campaign attribution, consent choices) plus a few fixed-size fields (LeadScored adds the
   * configured rules' reasons), so this keeps each event far under MAX_EVENT_BYTES; it also keeps the
   * stored lead far under DynamoDB's 400 KB item limit.
   */
  leadBytes: 128 * 1024,
  /** A platform lead over `leadBytes` has its longest texts cut, but none shorter than this. */
  minCutChars: 100,
} as const;

/**
 * The largest event the hub may publish: EventBridge's PutEvents entry limit as the local bus enforces
 * it, and SQS's default message size (the enrich queue receives whole LeadCaptured events).
 */
export const MAX_EVENT_BYTES = 256 * 1024;
