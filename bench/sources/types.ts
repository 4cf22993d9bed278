/** One HTTP request of a load run. */
export interface BenchRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * A lead source as the bench drives it: one small adapter that builds a signed request carrying a new,
 * unique lead. Adding a source to the bench means adding one of these to bench/sources/index.ts.
 */
export interface BenchSource {
  name: string;
  /** Environment the hub needs for this source (its secrets, its sandbox URLs). */
  env: Record<string, string>;
  /** Part of the hub config this source needs, merged into the bench config. */
  config: Record<string, unknown>;
  /** Status of an accepted delivery. */
  acceptedStatus: number;
  /**
   * A signed request with lead number `seq` of run `run`. Its `token` shows up in the lead's Slack alert,
   * which is how the end-to-end run matches an alert to the request that caused it.
   */
  request(seq: number, run: string): BenchRequest & { token: string };
  /** Calls served so far by the source's platform API stand-in (Graph API reads), if it has one. */
  platformCalls?(): number;
  /** Starts whatever the source needs besides the hub (a platform API stand-in), if anything. */
  setup?(): Promise<{ env: Record<string, string>; close(): Promise<void> }>;
}

/** The token of lead `seq` in run `run`: letters and digits only, so it survives normalisation and escaping. */
export function leadToken(run: string, seq: number): string {
  return `lhb${run}x${seq}`;
}

/**
 * A phone number for lead `seq` in E.164, as platforms send it. 555 numbers are fictional; the line number
 * varies so phone keys stay distinct and leads do not merge into one contact.
 */
export function benchPhone(seq: number): string {
  return `+1415555${String(1000 + (seq % 9000)).padStart(4, '0')}`;
}

/** Finds every bench token in a text (a Slack message body). */
export function findTokens(text: string): string[] {
  return [...text.matchAll(/lhb([a-z0-9]+)x(\d+)/gi)].map((m) => `lhb${m[1]?.toLowerCase()}x${m[2]}`);
}
