/** An event whose shape breaks its contract: retrying cannot fix it, so it goes to the DLQ. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message);
  }
}

/** A contract violation's field paths and codes, never the values (they may be PII). */
export function issuePaths(error: {
  issues: readonly { path: readonly PropertyKey[]; code: string }[];
}): string[] {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`);
}
