import type { ConnectionFailureReason, SourceConnectionFailedV1 } from '../../../events/contracts.js';
import type { HubDeps } from '../../deps.js';
import { ingest } from '../../pipeline/ingest.js';
import { PermanentSourceError } from '../errors.js';
import {
  createMetaGraphClient,
  type MetaCredentials,
  type MetaGraphClient,
  type MetaGraphClientOptions,
  type MetaLeadStub,
  pageAccessToken,
} from './fetch.js';
import { type MetaLeadNotification, parseLosslessJson } from './parse.js';

/** Pages of results read per list per run, so that one run always ends (50 x 100 leads per form). */
export const MAX_LIST_PAGES = 50;
export const LIST_PAGE_SIZE = 100;

export type MetaReconcileDeps = Pick<
  HubDeps,
  'env' | 'config' | 'receipts' | 'captureQueue' | 'bus' | 'secrets' | 'clock' | 'logger'
>;

export interface ReconcileMetaOptions {
  now: Date;
  lookbackHours: number;
  /** Defaults to a client on META_GRAPH_URL / META_GRAPH_VERSION. */
  graph?: MetaGraphClient;
  /** Tuning of the default client (retries, sleep), e.g. for tests. */
  graphOptions?: Partial<Omit<MetaGraphClientOptions, 'baseUrl' | 'version'>>;
  maxListPages?: number;
  pageSize?: number;
}

export interface ReconcileCounts {
  leadsSeen: number;
  newReceipts: number;
  alreadyKnown: number;
  errors: number;
}

export interface FormReconcileResult extends ReconcileCounts {
  formId: string;
  /** More leads were left than the page bound allows; the next run carries on. */
  truncated: boolean;
}

export interface PageReconcileResult extends ReconcileCounts {
  pageId: string;
  forms: number;
  /** Set when the page's connection failed permanently (SourceConnectionFailed was published). */
  connectionFailure?: ConnectionFailureReason;
  byForm: FormReconcileResult[];
}

export interface ReconcileMetaResult extends ReconcileCounts {
  /** Unix seconds: only leads created after this were read. */
  since: number;
  pages: PageReconcileResult[];
  /** Why nothing ran, when nothing did. */
  skipped?: 'app_secret_missing' | 'no_pages';
}

const zero = (): ReconcileCounts => ({ leadsSeen: 0, newReceipts: 0, alreadyKnown: 0, errors: 0 });
const add = (into: ReconcileCounts, from: ReconcileCounts) => {
  into.leadsSeen += from.leadsSeen;
  into.newReceipts += from.newReceipts;
  into.alreadyKnown += from.alreadyKnown;
  into.errors += from.errors;
};

async function reconcilePagesFromTokens(deps: Pick<HubDeps, 'secrets'>): Promise<string[]> {
  const map = await deps.secrets.get('META_PAGE_TOKENS');
  const parsed = map ? parseLosslessJson(map) : undefined;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
  return Object.entries(parsed)
    .filter(([pageId, token]) => /^\d{1,32}$/.test(pageId) && typeof token === 'string' && token !== '')
    .map(([pageId]) => pageId);
}

/** The pages to reconcile: the keys of META_PAGE_TOKENS and `meta.reconcile.pages`, each once. */
export async function reconcilePages(deps: Pick<HubDeps, 'secrets' | 'config'>): Promise<string[]> {
  return [...new Set([...(await reconcilePagesFromTokens(deps)), ...deps.config.meta.reconcile.pages])];
}

/** Whether scheduled reconciliation has anything to do: enabled, an app secret and at least one page token. */
export async function metaReconcileConfigured(deps: Pick<HubDeps, 'secrets' | 'config'>): Promise<boolean> {
  if (!deps.config.meta.reconcile.enabled) return false;
  if (!(await deps.secrets.get('META_APP_SECRET'))) return false;
  const pages = await reconcilePages(deps);
  if (pages.length === 0) return false;
  // Pages listed only in the config need the single META_PAGE_ACCESS_TOKEN; a page of the map has its own.
  if ((await reconcilePagesFromTokens(deps)).length > 0) return true;
  return Boolean(await deps.secrets.get('META_PAGE_ACCESS_TOKEN'));
}

/** Graph's `2026-11-20T08:49:14+0000` as the ISO form the webhook's receipt holds; undefined if unreadable. */
export function isoFromGraphTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The receipt payload a webhook change would have produced for this lead, marked as reconciled. */
export function notificationFromStub(
  pageId: string,
  formId: string,
  lead: MetaLeadStub,
): MetaLeadNotification {
  const createdTime = isoFromGraphTime(lead.created_time);
  return {
    leadgenId: lead.id,
    pageId,
    formId: lead.form_id ?? formId,
    ...(lead.ad_id ? { adId: lead.ad_id } : {}),
    ...(createdTime ? { createdTime } : {}),
    via: 'reconcile',
  };
}

/**
 * Reads back every lead of every form of every configured page created within the lookback, and ingests
 * the ones no webhook delivered: the receipt's conditional put dedupes the rest, and only new receipts are
 * queued for capture. A page whose connection fails permanently publishes SourceConnectionFailed and the
 * other pages carry on; transient failures are retried by the Graph client, then counted as errors.
 */
export async function reconcileMeta(
  deps: MetaReconcileDeps,
  options: ReconcileMetaOptions,
): Promise<ReconcileMetaResult> {
  const since = Math.floor(options.now.getTime() / 1000) - Math.round(options.lookbackHours * 3600);
  const result: ReconcileMetaResult = { since, pages: [], ...zero() };
  const appSecret = await deps.secrets.get('META_APP_SECRET');
  if (!appSecret) return { ...result, skipped: 'app_secret_missing' };
  const pageIds = await reconcilePages(deps);
  if (pageIds.length === 0) return { ...result, skipped: 'no_pages' };

  const graph =
    options.graph ??
    createMetaGraphClient({
      baseUrl: deps.env.META_GRAPH_URL,
      version: deps.env.META_GRAPH_VERSION,
      ...options.graphOptions,
    });
  const maxPages = options.maxListPages ?? MAX_LIST_PAGES;
  const limit = options.pageSize ?? LIST_PAGE_SIZE;

  for (const pageId of pageIds) {
    const page: PageReconcileResult = { pageId, forms: 0, byForm: [], ...zero() };
    result.pages.push(page);
    try {
      const credentials: MetaCredentials = {
        pageId,
        appSecret,
        token: await pageAccessToken(deps.secrets, pageId),
      };
      let after: string | undefined;
      for (let n = 0; n < maxPages; n++) {
        const forms = await graph.listForms(credentials, { limit, ...(after ? { after } : {}) });
        for (const form of forms.items) {
          page.forms++;
          const counts = await reconcileForm(deps, graph, credentials, form.id, since, { maxPages, limit });
          page.byForm.push(counts);
          add(page, counts);
        }
        after = forms.after;
        if (!after) break;
      }
    } catch (error) {
      page.errors++;
      const failure = await connectionFailure(deps, pageId, error);
      if (failure) page.connectionFailure = failure;
      else deps.logger.warn('meta reconcile: page skipped this run', { pageId, error: errorName(error) });
    }
    add(result, page);
  }
  deps.logger.info('meta reconcile done', {
    since,
    pages: result.pages.length,
    leadsSeen: result.leadsSeen,
    newReceipts: result.newReceipts,
    alreadyKnown: result.alreadyKnown,
    errors: result.errors,
  });
  return result;
}

async function reconcileForm(
  deps: MetaReconcileDeps,
  graph: MetaGraphClient,
  credentials: MetaCredentials,
  formId: string,
  since: number,
  bounds: { maxPages: number; limit: number },
): Promise<FormReconcileResult> {
  const counts: FormReconcileResult = { formId, truncated: false, ...zero() };
  let after: string | undefined;
  for (let n = 0; ; n++) {
    if (n >= bounds.maxPages) {
      counts.truncated = true;
      deps.logger.warn('meta reconcile: form has more leads than one run reads', { formId });
      break;
    }
    let leads: Awaited<ReturnType<MetaGraphClient['listLeads']>>;
    try {
      leads = await graph.listLeads(formId, credentials, {
        createdAfterUnix: since,
        limit: bounds.limit,
        ...(after ? { after } : {}),
      });
    } catch (error) {
      // A connection failure concerns the whole page: the caller publishes it and moves on.
      if (error instanceof PermanentSourceError && error.connection) throw error;
      counts.errors++;
      deps.logger.warn('meta reconcile: form skipped this run', { formId, error: errorName(error) });
      break;
    }
    for (const lead of leads.items) {
      counts.leadsSeen++;
      try {
        const outcome = await ingest(deps, {
          source: 'meta',
          platformLeadId: lead.id,
          payload: notificationFromStub(credentials.pageId, formId, lead),
        });
        if (outcome.status === 'accepted') counts.newReceipts++;
        else counts.alreadyKnown++;
      } catch (error) {
        counts.errors++;
        deps.logger.warn('meta reconcile: receipt not written', {
          leadgenId: lead.id,
          error: errorName(error),
        });
      }
    }
    after = leads.after;
    if (!after) break;
  }
  return counts;
}

/** Publishes SourceConnectionFailed for a permanent connection failure; returns its reason, if it was one. */
async function connectionFailure(
  deps: MetaReconcileDeps,
  pageId: string,
  error: unknown,
): Promise<ConnectionFailureReason | undefined> {
  if (!(error instanceof PermanentSourceError) || !error.connection) return undefined;
  const { connection } = error;
  const detail: SourceConnectionFailedV1 = {
    version: '1',
    source: 'meta',
    // No single lead failed: the page's read-back did.
    platformLeadId: '',
    ...connection,
    pageId,
    occurredAt: deps.clock.now().toISOString(),
  };
  try {
    await deps.bus.publish([{ detailType: 'SourceConnectionFailed', detail }]);
  } catch (publishError) {
    deps.logger.error('meta reconcile: SourceConnectionFailed not published', {
      pageId,
      error: errorName(publishError),
    });
  }
  deps.logger.warn('meta reconcile: page connection failed', { pageId, reason: connection.reason });
  return connection.reason;
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : 'unknown');

export interface ReconcileArgs {
  source: 'meta';
  lookbackHours?: number;
  verbose: boolean;
}

export const RECONCILE_USAGE = 'usage: npm run reconcile -- --source meta [--lookback-hours N] [--verbose]';

/** Arguments of `npm run reconcile`; throws with the usage on anything it does not know. */
export function parseReconcileArgs(argv: readonly string[]): ReconcileArgs {
  let source: string | undefined;
  let lookbackHours: number | undefined;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value\n${RECONCILE_USAGE}`);
      return v;
    };
    switch (flag) {
      case '--source':
        source = value();
        if (source !== 'meta') throw new Error(`only --source meta can be reconciled\n${RECONCILE_USAGE}`);
        break;
      case '--lookback-hours': {
        const hours = Number(value());
        if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 90)
          throw new Error(`--lookback-hours must be a whole number of hours, 1 to 2160\n${RECONCILE_USAGE}`);
        lookbackHours = hours;
        break;
      }
      case '--verbose':
        verbose = true;
        break;
      default:
        throw new Error(`unknown argument ${flag}\n${RECONCILE_USAGE}`);
    }
  }
  if (source === undefined) throw new Error(`--source is required\n${RECONCILE_USAGE}`);
  return { source: 'meta', ...(lookbackHours !== undefined ? { lookbackHours } : {}), verbose };
}
