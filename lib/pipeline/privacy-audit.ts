import { MAX_AUDIT_RETENTION_YEARS } from '../config.js';
import type { HubDeps } from '../deps.js';
import type { IdentityKey } from '../lead/identity.js';
import type { AuditCompletion, AuditPage, AuditRecord, PrivacyAction } from '../ports.js';

export type AuditDeps = Pick<HubDeps, 'store' | 'clock' | 'config' | 'logger'>;

/** Who asks for a privacy action, as the audit trail names them, and the request that asked. */
export interface PrivacyActor {
  /** The caller's IAM ARN on AWS; `admin-token` for the local bearer token (never the token itself). */
  by: string;
  /** API Gateway's request id: the access log line of the same request. */
  requestId: string;
}

/**
 * The audit record could not be written. `actionDone: false`: it was to be written first, so nothing was
 * done; `true`: the action was done but its outcome is not on record yet (the same request again
 * completes it).
 */
export class AuditUnavailableError extends Error {
  override name = 'AuditUnavailableError';
  constructor(
    readonly actionDone: boolean,
    options: { cause: unknown },
  ) {
    super(
      actionDone
        ? 'The action was done, but its audit record could not be completed'
        : 'The audit record could not be written, so nothing was done',
      options,
    );
  }
}

/** What an audit record says before its outcome is known. */
export interface AuditStart {
  auditId: string;
  action: PrivacyAction;
  actor: PrivacyActor;
  key: IdentityKey;
  contactIds: string[];
  withdrawalRequestId?: string;
  purposes?: string[];
  erasureId?: string;
}

type Outcome = Omit<AuditCompletion, 'completedAt'>;

function retainUntil(at: string, years: number): string {
  const end = new Date(at);
  end.setUTCFullYear(end.getUTCFullYear() + years);
  return end.toISOString();
}

function auditRecord(deps: AuditDeps, start: AuditStart, outcome: Outcome): AuditRecord {
  const at = deps.clock.now().toISOString();
  const { actor, key, ...what } = start;
  return {
    ...what,
    by: actor.by,
    at,
    requestId: actor.requestId,
    keyKind: key.kind === 'email' ? 'email' : 'phone',
    keyHash: key.hash,
    ...outcome,
    ...(outcome.outcome === 'started' ? {} : { completedAt: at }),
    retainUntil: retainUntil(at, deps.config.privacy.auditRetentionYears),
  };
}

/** Ids in order of first appearance. */
const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

/**
 * Records an action that changes nothing (an export, or a request that matched no one) with its outcome,
 * before it is answered: when the record cannot be written, nothing is disclosed.
 */
export async function recordAudit(deps: AuditDeps, start: AuditStart, outcome: Outcome): Promise<void> {
  try {
    await deps.store.putAudit(auditRecord(deps, start, outcome));
  } catch (error) {
    throw new AuditUnavailableError(false, { cause: error });
  }
}

/**
 * Runs an action that writes (a withdrawal, an erasure) on the record. The record is written `started`
 * before the action, so no action is ever done unaudited (it is not run when the write fails), and its
 * outcome after, before the answer. The same `auditId` again (an idempotent retry) finds the record it
 * wrote and completes it: one record per action, however often it is asked.
 */
export async function audited<T>(
  deps: AuditDeps,
  start: AuditStart,
  run: () => Promise<T>,
  outcomeOf: (result: T) => Outcome,
): Promise<T> {
  let stored: AuditRecord;
  try {
    ({ record: stored } = await deps.store.putAudit(
      auditRecord(deps, start, { outcome: 'started', contactIds: start.contactIds }),
    ));
  } catch (error) {
    throw new AuditUnavailableError(false, { cause: error });
  }
  let result: T;
  try {
    result = await run();
  } catch (error) {
    const completedAt = deps.clock.now().toISOString();
    await deps.store
      .completeAudit(stored, { outcome: 'failed', completedAt, contactIds: stored.contactIds })
      .catch((markError: unknown) =>
        // The action's own error is the one to answer with; the record stays `started`.
        deps.logger.error('privacy audit: could not mark the record failed', {
          auditId: stored.auditId,
          error: (markError as Error).name,
        }),
      );
    throw error;
  }
  const outcome = outcomeOf(result);
  try {
    await deps.store.completeAudit(stored, {
      ...outcome,
      contactIds: union(stored.contactIds, outcome.contactIds),
      completedAt: deps.clock.now().toISOString(),
    });
  } catch (error) {
    throw new AuditUnavailableError(true, { cause: error });
  }
  return result;
}

/**
 * GET /api/privacy/audit: the trail newest first, by contact and/or time: `from` inclusive (default: the
 * configured retention back), `to` exclusive (default: now). Bounds beyond what the trail can hold are
 * pulled in, so a listing never walks empty months for nothing.
 */
export async function listAuditTrail(
  deps: AuditDeps,
  query: { contactId?: string; from?: string; to?: string; limit: number; cursor?: string },
): Promise<AuditPage> {
  const now = deps.clock.now();
  // The trail holds nothing older than the longest retention allowed, nor anything from the future.
  const oldest = retainUntil(now.toISOString(), -MAX_AUDIT_RETENTION_YEARS);
  const newest = new Date(now.getTime() + 1).toISOString();
  const from = query.from
    ? [query.from, oldest].reduce((a, b) => (a > b ? a : b))
    : retainUntil(now.toISOString(), -deps.config.privacy.auditRetentionYears);
  const to = query.to && query.to < newest ? query.to : newest;
  if (from >= to) return { records: [] };
  return deps.store.listAudit({
    ...(query.contactId ? { contactId: query.contactId } : {}),
    from,
    to,
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
}
