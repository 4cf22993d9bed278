import type { HubDeps } from '../deps.js';
import type { RawLead, Source } from '../lead/model.js';
import type { Receipt } from '../ports.js';
import { PermanentSourceError } from './errors.js';
import { formReceiptToRawLead } from './form/receipt.js';

/** What capture needs from a source: the raw lead behind a receipt (fetched from the platform if needed). */
export type ReceiptResolver = (receipt: Receipt, deps: HubDeps) => Promise<RawLead>;

const resolvers: Partial<Record<Source, ReceiptResolver>> = {
  form: formReceiptToRawLead,
};

export function resolverFor(source: Source): ReceiptResolver {
  const resolver = resolvers[source];
  if (!resolver) throw new PermanentSourceError(`No capture support for source ${source}`);
  return resolver;
}
