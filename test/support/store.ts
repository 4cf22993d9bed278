import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createDynamoClients } from '../../lib/adapters/dynamodb/client.js';
import { ensureTable } from '../../lib/adapters/dynamodb/create-table.js';
import { createDynamoDbLeadStore } from '../../lib/adapters/dynamodb/lead-store.js';
import { createDynamoDbReceiptStore } from '../../lib/adapters/dynamodb/receipt-store.js';

/** A LeadStore and a ReceiptStore on a fresh table of the test DynamoDB endpoint (dynalite unless DYNAMODB_ENDPOINT is set). */
export async function freshStore(now?: () => Date) {
  const endpoint = inject('dynamoEndpoint');
  const clients = await createDynamoClients({ endpoint, region: 'us-east-1' });
  const tableName = `leadhub-test-${randomUUID().slice(0, 8)}`;
  await ensureTable(clients.client, tableName);
  return {
    ...clients,
    tableName,
    endpoint,
    store: createDynamoDbLeadStore({ doc: clients.doc, tableName, now }),
    receiptStore: createDynamoDbReceiptStore({ doc: clients.doc, tableName, now }),
  };
}
