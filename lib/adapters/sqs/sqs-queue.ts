import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Queue } from '../../ports.js';
import { loadOnce } from '../load-once.js';

/**
 * Queue port on SQS: one JSON message per send. The SDK is loaded at the first send (see load-once.ts);
 * `client` replaces the default client, e.g. in tests.
 */
export function createSqsQueue<T>(queueUrl: string, client?: SQSClient): Queue<T> {
  const sqs = loadOnce(async () => {
    const sdk = await import('@aws-sdk/client-sqs');
    return { sdk, client: client ?? new sdk.SQSClient({}) };
  });
  return {
    async send(message) {
      const { sdk, client: sqsClient } = await sqs();
      await sqsClient.send(
        new sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }),
      );
    },
  };
}
