import type { HubTuning } from '../../lib/local/runtime.js';

/** How the bench starts the runtime in its child process. */
export interface HubProcessOptions {
  env: Record<string, string>;
  config: unknown;
  tuning: HubTuning;
  /** Meter DynamoDB request units (slower: it keeps a shadow copy of every item). */
  meter: boolean;
  /**
   * Acknowledge capture messages without processing them: isolates the ingest path (HTTP handler,
   * receipt write, enqueue) the way separate Lambdas isolate it on AWS. A diagnostic, never the default.
   */
  ingestOnly?: boolean;
}

export type ChildRequest = { id: number } & (
  | { cmd: 'start'; options: HubProcessOptions }
  | { cmd: 'usage' }
  | { cmd: 'reset' }
  | { cmd: 'drain'; timeoutMs: number }
  | { cmd: 'memory'; gc: boolean }
  | { cmd: 'stop' }
);

export type ChildResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };
