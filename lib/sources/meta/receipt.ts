import type { HubDeps } from '../../deps.js';
import type { RawLead } from '../../lead/model.js';
import type { Receipt } from '../../ports.js';
import { PermanentSourceError } from '../errors.js';
import {
  createMetaGraphClient,
  type MetaCredentials,
  type MetaForm,
  type MetaGraphClient,
  type MetaGraphClientOptions,
  type MetaLead,
  MetaTransientError,
  metaConnectionError,
  pageAccessToken,
} from './fetch.js';
import { mapMetaLead } from './map.js';
import { MetaLeadNotificationSchema } from './parse.js';

export type MetaResolverOptions = Partial<Omit<MetaGraphClientOptions, 'baseUrl' | 'version'>>;

/**
 * The Meta ReceiptResolver: the receipt holds only the webhook's notification, so the lead is fetched
 * from the Graph API with the page's token (and its form, cached, for labels and consent text), then
 * mapped. One Graph client (and form cache) per runtime's deps, i.e. per Lambda container.
 */
export function createMetaReceiptResolver(options: MetaResolverOptions = {}) {
  const clients = new WeakMap<HubDeps, MetaGraphClient>();
  const clientFor = (deps: HubDeps) => {
    let client = clients.get(deps);
    if (!client) {
      client = createMetaGraphClient({
        baseUrl: deps.env.META_GRAPH_URL,
        version: deps.env.META_GRAPH_VERSION,
        ...options,
      });
      clients.set(deps, client);
    }
    return client;
  };

  return async function metaReceiptToRawLead(receipt: Receipt, deps: HubDeps): Promise<RawLead> {
    const parsed = MetaLeadNotificationSchema.safeParse(receipt.payload);
    if (!parsed.success) throw new PermanentSourceError('meta receipt payload is not a lead notification');
    const notification = parsed.data;
    const { pageId } = notification;

    const appSecret = await deps.secrets.get('META_APP_SECRET');
    if (!appSecret) throw metaConnectionError('app_secret_missing', pageId);
    const credentials: MetaCredentials = {
      pageId,
      appSecret,
      token: await pageAccessToken(deps.secrets, pageId),
    };

    const client = clientFor(deps);
    let lead: MetaLead;
    let form: MetaForm | undefined;
    try {
      lead = await client.getLead(notification.leadgenId, credentials);
      const id = lead.form_id ?? notification.formId;
      form = id ? await client.getForm(id, credentials) : undefined;
    } catch (error) {
      // The queue retries these; the log says why (ids and Graph codes only).
      if (error instanceof MetaTransientError) {
        deps.logger.warn('meta graph unavailable; the queue will retry', { pageId, reason: error.message });
      }
      throw error;
    }
    const formId = lead.form_id ?? notification.formId;
    return mapMetaLead(
      { notification, lead, ...(form ? { form } : {}), receivedAt: receipt.receivedAt },
      {
        ...(formId && Object.hasOwn(deps.config.meta.forms, formId)
          ? { overrides: deps.config.meta.forms[formId] }
          : {}),
        defaultCountry: deps.config.defaults.phoneCountry,
      },
    );
  };
}

export const metaReceiptToRawLead = createMetaReceiptResolver();
