import type { ConnectionFailureReason } from '../../events/contracts.js';

/** What broke in a source's connection (token, permission...), for the SourceConnectionFailed event. */
export interface ConnectionFailure {
  reason: ConnectionFailureReason;
  /** What to do about it, in words; ids only, no PII. */
  fix: string;
  pageId?: string;
  formId?: string;
  platformError?: { status?: number; code?: string; subcode?: string; type?: string; traceId?: string };
}

/** A delivery that can never be captured as it stands (retrying will not help); it is marked failed. */
export class PermanentSourceError extends Error {
  override name = 'PermanentSourceError';
  /** Present when the cause is the connection to the platform: capture then publishes SourceConnectionFailed. */
  readonly connection?: ConnectionFailure;

  constructor(message: string, connection?: ConnectionFailure) {
    super(message);
    if (connection) this.connection = connection;
  }
}
