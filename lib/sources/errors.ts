/** A delivery that can never be captured as it stands (retrying will not help); it is marked failed. */
export class PermanentSourceError extends Error {
  override name = 'PermanentSourceError';
}
