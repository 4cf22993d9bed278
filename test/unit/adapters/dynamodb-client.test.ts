import { ConditionalCheckFailedException as SdkConditionalCheckFailed } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand as SdkGetCommand,
  PutCommand as SdkPutCommand,
  UpdateCommand as SdkUpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDynamoClients, createLazyDocumentClient } from '../../../lib/adapters/dynamodb/client.js';
import {
  ConditionalCheckFailedException,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '../../../lib/adapters/dynamodb/commands.js';

const mock = mockClient(DynamoDBDocumentClient);

describe('DynamoDB document client', () => {
  beforeEach(() => mock.reset());

  it("sends the stores' commands as the SDK's own, which aws-sdk-client-mock sees", async () => {
    mock.on(SdkGetCommand).resolves({ Item: { pk: 'P', sk: 'S', v: 1 } });
    const { doc } = await createDynamoClients({ region: 'us-east-1' });
    const input = { TableName: 't', Key: { pk: 'P', sk: 'S' }, ConsistentRead: true };
    expect((await doc.send(new GetCommand(input))).Item).toEqual({ pk: 'P', sk: 'S', v: 1 });
    const [call] = mock.commandCalls(SdkGetCommand);
    expect(call?.args[0]).toBeInstanceOf(SdkGetCommand);
    expect(call?.args[0].input).toEqual(input);
  });

  it("still sends the SDK's own commands", async () => {
    mock.on(SdkPutCommand).resolves({});
    const { doc } = await createDynamoClients();
    await doc.send(new SdkPutCommand({ TableName: 't', Item: { pk: 'a', sk: 'b' } }));
    expect(mock.commandCalls(SdkPutCommand)).toHaveLength(1);
  });

  it('lazily created, sends through one client made at the first send', async () => {
    mock.on(SdkPutCommand).resolves({});
    mock.on(SdkUpdateCommand).resolves({ Attributes: { n: 2 } });
    const doc = createLazyDocumentClient({ region: 'us-east-1' });
    await doc.send(new PutCommand({ TableName: 't', Item: { pk: 'a', sk: 'b' } }));
    const updated = await doc.send(
      new UpdateCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'SET n = :n' }),
    );
    expect(updated.Attributes).toEqual({ n: 2 });
    const clients = new Set(mock.calls().map((call) => call.thisValue));
    expect(clients.size).toBe(1);
    expect([...clients][0]).toBeInstanceOf(DynamoDBDocumentClient);
  });

  it('recognises a failed condition without the SDK class, and nothing else', () => {
    const failed = new SdkConditionalCheckFailed({
      message: 'The conditional request failed',
      $metadata: {},
    });
    expect(failed instanceof ConditionalCheckFailedException).toBe(true);
    expect(new Error('throttled') instanceof ConditionalCheckFailedException).toBe(false);
    expect({ name: 'ConditionalCheckFailedException' } instanceof ConditionalCheckFailedException).toBe(
      false,
    );
  });
});
