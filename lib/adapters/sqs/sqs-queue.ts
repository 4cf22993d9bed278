import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Queue } from '../../ports.js';

/** Queue port on SQS: one JSON message per send. */
export function createSqsQueue<T>(queueUrl: string, client = new SQSClient({})): Queue<T> {
  return {
    async send(message) {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
    },
  };
}
