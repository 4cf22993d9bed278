import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadOnce } from '../load-once.js';
import { type DocumentClient, DocumentCommand, type LibDynamoDb } from './commands.js';

export interface DynamoClientOptions {
  endpoint?: string;
  region?: string;
}

/** The SDK's document client, which also sends the stores' commands (./commands.ts). */
export type HubDocumentClient = DynamoDBDocumentClient & DocumentClient;

export interface DynamoClients {
  client: DynamoDBClient;
  doc: HubDocumentClient;
}

/**
 * Clients for DynamoDB, or for any endpoint that speaks its protocol (dynalite locally and in tests).
 * A custom endpoint needs some credentials to sign with; they are not checked there. The SDK is loaded
 * here, by dynamic import: a static import would be hoisted into every Lambda bundle's module init.
 */
export async function createDynamoClients(options: DynamoClientOptions = {}): Promise<DynamoClients> {
  const [{ DynamoDBClient }, sdk] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
  ]);
  const client = new DynamoDBClient({
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(options.endpoint
      ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  const doc = sdk.DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { client, doc: sendingDocumentCommands(doc, sdk) };
}

/**
 * A document client that loads the SDK and connects at its first `send`, not before: the Lambda
 * runtime's client, so that module init loads no SDK and a function that never calls DynamoDB never
 * loads it.
 */
export function createLazyDocumentClient(options: DynamoClientOptions = {}): DocumentClient {
  const clients = loadOnce(() => createDynamoClients(options));
  return {
    async send(command) {
      return (await clients()).doc.send(command);
    },
  };
}

/**
 * Lets the SDK's client send the stores' commands as well as its own. The SDK's `send` is looked up on
 * the class at each call, so aws-sdk-client-mock's stub on the prototype still sees every command.
 */
function sendingDocumentCommands(doc: DynamoDBDocumentClient, sdk: LibDynamoDb): HubDocumentClient {
  const sdkSend = (...args: unknown[]) =>
    (sdk.DynamoDBDocumentClient.prototype.send as (...a: unknown[]) => Promise<unknown>).apply(doc, args);
  return Object.assign(doc, {
    send(command: unknown, ...rest: unknown[]) {
      return sdkSend(command instanceof DocumentCommand ? command.toSdkCommand(sdk) : command, ...rest);
    },
  }) as HubDocumentClient;
}
