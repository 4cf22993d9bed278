import type { HubDeps } from '../../deps.js';
import type { RawLead } from '../../lead/model.js';
import type { Receipt } from '../../ports.js';
import { PermanentSourceError } from '../errors.js';
import {
  createLinkedInClient,
  type LinkedInClient,
  type LinkedInClientOptions,
  type LinkedInForm,
  type LinkedInLeadResponse,
  LinkedInTransientError,
  linkedInAccessToken,
} from './fetch.js';
import { mapLinkedInLead } from './map.js';
import { formOf, LinkedInLeadNotificationSchema } from './parse.js';

export type LinkedInResolverOptions = Partial<Omit<LinkedInClientOptions, 'baseUrl' | 'version'>>;

/**
 * Thrown when the lead was deleted on LinkedIn while capture was fetching it: not permanent (that would
 * mark the receipt failed over its `deleted`), so the queue retries and capture then finds the tombstone.
 */
export class LinkedInLeadWithdrawnError extends Error {
  override name = 'LinkedInLeadWithdrawnError';
}

/**
 * The LinkedIn ReceiptResolver: the receipt holds the notification, so the lead form response is fetched
 * with the member token, then its form version (cached), then mapped. One client (and form cache) per
 * runtime's deps, i.e. per Lambda container.
 */
export function createLinkedInReceiptResolver(options: LinkedInResolverOptions = {}) {
  const clients = new WeakMap<HubDeps, LinkedInClient>();
  const clientFor = (deps: HubDeps) => {
    let client = clients.get(deps);
    if (!client) {
      client = createLinkedInClient({
        baseUrl: deps.env.LINKEDIN_API_URL,
        version: deps.env.LINKEDIN_API_VERSION,
        ...options,
      });
      clients.set(deps, client);
    }
    return client;
  };

  return async function linkedInReceiptToRawLead(receipt: Receipt, deps: HubDeps): Promise<RawLead> {
    const parsed = LinkedInLeadNotificationSchema.safeParse(receipt.payload);
    if (!parsed.success || parsed.data.action !== 'CREATED') {
      throw new PermanentSourceError('linkedin receipt payload is not a lead creation notice');
    }
    const notification = parsed.data;
    const { responseId } = notification;
    const token = await linkedInAccessToken(deps.secrets, responseId);
    const client = clientFor(deps);

    let response: LinkedInLeadResponse;
    let form: LinkedInForm | undefined;
    try {
      response = await client.getLeadResponse(responseId, token);
      const version = formOf(response.versionedLeadGenFormUrn) ?? {
        formId: notification.formId,
        formVersion: notification.formVersion,
      };
      if (version.formId) {
        form = await client.getForm(version.formId, version.formVersion, token);
        if (version.formVersion && form.versionId && form.versionId !== version.formVersion) {
          deps.logger.warn('linkedin form served another version; questions may not all match', {
            responseId,
            formId: version.formId,
            wanted: version.formVersion,
            served: form.versionId,
          });
        }
      }
    } catch (error) {
      // A lead deleted meanwhile answers 404: the deletion, not the connection, is the story.
      if (error instanceof PermanentSourceError && (await deletedMeanwhile(deps, receipt))) {
        throw new LinkedInLeadWithdrawnError(`linkedin lead ${responseId} was deleted while being captured`);
      }
      if (error instanceof LinkedInTransientError) {
        deps.logger.warn('linkedin api unavailable; the queue will retry', {
          responseId,
          reason: error.message,
        });
      }
      throw error;
    }
    if (await deletedMeanwhile(deps, receipt)) {
      throw new LinkedInLeadWithdrawnError(`linkedin lead ${responseId} was deleted while being captured`);
    }
    return mapLinkedInLead(
      { notification, response, ...(form ? { form } : {}), receivedAt: receipt.receivedAt },
      { defaultCountry: deps.config.defaults.phoneCountry },
    );
  };
}

async function deletedMeanwhile(deps: HubDeps, receipt: Receipt): Promise<boolean> {
  const current = await deps.receipts.getReceipt({
    source: receipt.source,
    platformLeadId: receipt.platformLeadId,
  });
  return current?.status === 'deleted';
}

export const linkedInReceiptToRawLead = createLinkedInReceiptResolver();
