import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEventBridgeBus, PublishError } from '../../../lib/adapters/eventbridge/event-bus.js';
import { createSqsQueue } from '../../../lib/adapters/sqs/sqs-queue.js';

const sqs = mockClient(SQSClient);
const eventBridge = mockClient(EventBridgeClient);
const noSleep = async () => {};

beforeEach(() => {
  sqs.reset();
  eventBridge.reset();
});

describe('SQS queue', () => {
  it('sends each message as JSON to the queue, through one client', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const queue = createSqsQueue<{ id: number }>('https://sqs.example/q');
    await queue.send({ id: 1 });
    await queue.send({ id: 2 });
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { QueueUrl: 'https://sqs.example/q', MessageBody: '{"id":1}' },
      { QueueUrl: 'https://sqs.example/q', MessageBody: '{"id":2}' },
    ]);
    expect(new Set(sqs.calls().map((c) => c.thisValue)).size).toBe(1);
  });
});

describe('EventBridge bus', () => {
  const event = (n: number) => ({ detailType: 'LeadCaptured', detail: { n } }) as never;

  it('publishes in chunks of ten and sends again only the entries that failed', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{}, { ErrorCode: 'Throttling' }, ...Array(8).fill({})] })
      .resolves({ FailedEntryCount: 0 });
    const bus = createEventBridgeBus('leadhub', undefined, noSleep);
    await bus.publish(Array.from({ length: 12 }, (_, i) => event(i)));
    const sent = eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(sent.map((entries) => entries.length)).toEqual([10, 1, 2]);
    expect(sent[1]?.[0]).toMatchObject({ EventBusName: 'leadhub', Detail: '{"n":1}' });
  });

  it('throws what still fails after the last attempt, and calls nothing for no events', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const bus = createEventBridgeBus('leadhub', undefined, noSleep);
    await expect(bus.publish([event(1)])).rejects.toThrow(PublishError);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(4);
    eventBridge.reset();
    await bus.publish([]);
    expect(eventBridge.calls()).toHaveLength(0);
  });
});
