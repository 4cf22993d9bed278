import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TableDesign } from '../../lib/adapters/dynamodb/table-design.js';

export const FAKE_ACCOUNT = '123456789012';
export const FAKE_REGION = 'us-east-1';

/** One call as IAM authorises it: the action, the resource it names, and the condition keys it carries. */
export interface AwsCall {
  /** Who made it (the function whose scenarios were running). */
  caller: string;
  action: string;
  resource: string;
  /** dynamodb:LeadingKeys: the partition key values the call names, when it names any. */
  leadingKeys?: string[];
  /** Other condition keys of the request, e.g. iam:PassedToService for a role passed to a service. */
  context?: Record<string, string>;
}

type Json = Record<string, unknown>;
type AttributeValue = { S?: string };

const arn = (service: string, resource: string, region = FAKE_REGION) =>
  `arn:aws:${service}:${region}:${FAKE_ACCOUNT}:${resource}`;

export const fakeArn = {
  table: (name: string) => arn('dynamodb', `table/${name}`),
  index: (table: string, index: string) => arn('dynamodb', `table/${table}/index/${index}`),
  queue: (name: string) => arn('sqs', name),
  bus: (name: string) => arn('events', `event-bus/${name}`),
  schedule: (group: string, name: string) => arn('scheduler', `schedule/${group}/${name}`),
  scheduleGroup: (group: string) => arn('scheduler', `schedule-group/${group}`),
  secret: (name: string) => arn('secretsmanager', `secret:${name}-AbCdEf`),
  role: (name: string) => `arn:aws:iam::${FAKE_ACCOUNT}:role/${name}`,
  function: (name: string) => arn('lambda', `function:${name}`),
};

/** The partition key attribute a DynamoDB request addresses: the table's, or its index's. */
function partitionKeyOf(indexName: unknown): string {
  const index = Object.values(TableDesign.indexes).find((i) => i.name === indexName);
  return index ? index.partitionKey : TableDesign.partitionKey;
}

/** The partition key value of a Query: the attribute compared with `=` in its key condition. */
function queriedPartitionKey(input: Json): string | undefined {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
  const wanted = partitionKeyOf(input.IndexName);
  for (const [, name, placeholder] of String(input.KeyConditionExpression ?? '').matchAll(
    /(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)/g,
  )) {
    if ((names[name as string] ?? name) === wanted) return values[placeholder as string]?.S;
  }
  return undefined;
}

/** The calls IAM would see for one DynamoDB request. */
function dynamoCalls(operation: string, input: Json): Omit<AwsCall, 'caller'>[] {
  const action = `dynamodb:${operation}`;
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const requests = (input.RequestItems ?? {}) as Record<string, Json | Json[]>;
    return Object.entries(requests).map(([table, request]) => {
      const keys =
        operation === 'BatchGetItem'
          ? ((request as Json).Keys as Record<string, AttributeValue>[])
          : (request as Json[]).map(
              (w) =>
                ((w.PutRequest as Json)?.Item ?? (w.DeleteRequest as Json)?.Key ?? {}) as Record<
                  string,
                  AttributeValue
                >,
            );
      return {
        action,
        resource: fakeArn.table(table),
        leadingKeys: [...new Set(keys.map((k) => k[TableDesign.partitionKey]?.S ?? ''))],
      };
    });
  }
  const table = String(input.TableName);
  const resource = input.IndexName ? fakeArn.index(table, String(input.IndexName)) : fakeArn.table(table);
  const key = ((input.Key ?? input.Item) as Record<string, AttributeValue> | undefined)?.[
    TableDesign.partitionKey
  ]?.S;
  const leading = operation === 'Query' ? queriedPartitionKey(input) : key;
  return [{ action, resource, ...(leading !== undefined ? { leadingKeys: [leading] } : {}) }];
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res
    .writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...headers })
    .end(JSON.stringify(body));
}

function errorAnswer(res: ServerResponse, status: number, type: string, message: string) {
  answer(res, status, { __type: type, message, Message: message }, { 'x-amzn-errortype': type });
}

export interface FakeAwsOptions {
  /** Where DynamoDB requests go on to (dynalite); they are recorded on the way. */
  dynamoEndpoint: string;
  /** A Secrets Manager secret's JSON, by its ARN, as it stands when read. */
  secretValues(secretArn: string): Record<string, string>;
}

/**
 * One local endpoint for every AWS service the functions call (the SDK reaches it through
 * AWS_ENDPOINT_URL and DYNAMODB_ENDPOINT): it records each request as the action and resource IAM
 * authorises, passes DynamoDB requests on to dynalite, and answers SQS, EventBridge, EventBridge
 * Scheduler and Secrets Manager itself.
 */
export async function startFakeAws(options: FakeAwsOptions) {
  const calls: AwsCall[] = [];
  const schedules = new Map<string, Json>();
  const messages: { queueUrl: string; body: string }[] = [];
  const events: { busName: string; detailType: string; detail: Json }[] = [];
  let caller = '(none)';
  const record = (call: Omit<AwsCall, 'caller'>) => calls.push({ caller, ...call });

  async function forwardToDynamo(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(
        (entry): entry is [string, string] =>
          typeof entry[1] === 'string' && !['host', 'connection', 'content-length'].includes(entry[0]),
      ),
    );
    const upstream = await fetch(options.dynamoEndpoint, { method: 'POST', headers, body });
    const text = Buffer.from(await upstream.arrayBuffer());
    const passed: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (name.startsWith('x-amz') || name === 'content-type') passed[name] = value;
    });
    res.writeHead(upstream.status, passed).end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const body = await bodyOf(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const url = new URL(req.url ?? '/', 'http://fake');
    const input = (body.length > 0 && body[0] === 0x7b ? JSON.parse(body.toString('utf8')) : {}) as Json;

    if (target.startsWith('DynamoDB_20120810.')) {
      for (const call of dynamoCalls(target.slice('DynamoDB_20120810.'.length), input)) record(call);
      return forwardToDynamo(req, res, body);
    }
    if (target === 'AmazonSQS.SendMessage') {
      const queueUrl = String(input.QueueUrl);
      record({ action: 'sqs:SendMessage', resource: fakeArn.queue(queueUrl.split('/').at(-1) ?? '') });
      messages.push({ queueUrl, body: String(input.MessageBody) });
      return answer(res, 200, {
        MessageId: randomUUID(),
        MD5OfMessageBody: createHash('md5').update(String(input.MessageBody)).digest('hex'),
      });
    }
    if (target === 'AWSEvents.PutEvents') {
      const entries = (input.Entries ?? []) as Json[];
      const buses = new Set(entries.map((e) => String(e.EventBusName ?? 'default')));
      for (const bus of buses) {
        record({ action: 'events:PutEvents', resource: bus.startsWith('arn:') ? bus : fakeArn.bus(bus) });
      }
      for (const e of entries) {
        events.push({
          busName: String(e.EventBusName),
          detailType: String(e.DetailType),
          detail: JSON.parse(String(e.Detail)) as Json,
        });
      }
      return answer(res, 200, {
        FailedEntryCount: 0,
        Entries: entries.map(() => ({ EventId: randomUUID() })),
      });
    }
    if (target === 'secretsmanager.GetSecretValue') {
      const secretId = String(input.SecretId);
      record({ action: 'secretsmanager:GetSecretValue', resource: secretId });
      return answer(res, 200, {
        ARN: secretId,
        Name: secretId,
        VersionId: 'v1',
        SecretString: JSON.stringify(options.secretValues(secretId)),
      });
    }
    const schedule = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (schedule) {
      const name = decodeURIComponent(schedule[1] as string);
      if (req.method === 'POST') {
        const group = String(input.GroupName ?? 'default');
        record({ action: 'scheduler:CreateSchedule', resource: fakeArn.schedule(group, name) });
        const roleArn = (input.Target as Json | undefined)?.RoleArn;
        if (typeof roleArn === 'string') {
          record({
            action: 'iam:PassRole',
            resource: roleArn,
            context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
          });
        }
        const id = `${group}/${name}`;
        if (schedules.has(id)) return errorAnswer(res, 409, 'ConflictException', `${id} exists`);
        schedules.set(id, input);
        return answer(res, 200, { ScheduleArn: fakeArn.schedule(group, name) });
      }
      if (req.method === 'DELETE') {
        const group = url.searchParams.get('groupName') ?? 'default';
        record({ action: 'scheduler:DeleteSchedule', resource: fakeArn.schedule(group, name) });
        if (!schedules.delete(`${group}/${name}`)) {
          return errorAnswer(res, 404, 'ResourceNotFoundException', `${group}/${name} does not exist`);
        }
        return answer(res, 200, {});
      }
    }
    // Anything else is still a call the function made: recorded, so a comparison with the grants shows it.
    record({ action: `unknown:${target || `${req.method} ${url.pathname}`}`, resource: '*' });
    return errorAnswer(
      res,
      400,
      'UnknownOperationException',
      `the fake does not serve ${target || url.pathname}`,
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      errorAnswer(res, 500, 'InternalFailure', (error as Error).message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    schedules,
    messages,
    events,
    /** Names the caller of the calls that follow. */
    actAs(name: string) {
      caller = name;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeAws = Awaited<ReturnType<typeof startFakeAws>>;
