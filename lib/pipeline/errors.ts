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
