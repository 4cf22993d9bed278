import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { type HubConfig, parseEnv, parseHubConfig } from '../../lib/config.js';
import type { HubDeps } from '../../lib/deps.js';
import type {
  BusEvent,
  Clock,
  LeadStore,
  Queue,
  ReceiptStore,
  SecretName,
  Secrets,
} from '../../lib/ports.js';

export const silentLogger = new Logger({ serviceName: 'leadhub-test', logLevel: 'SILENT' });

export function recordingQueue<T>(): Queue<T> & { sent: T[] } {
  const sent: T[] = [];
  return { sent, send: async (m: T) => void sent.push(m) };
}

export function recordingBus(): HubDeps['bus'] & { events: BusEvent[] } {
  const events: BusEvent[] = [];
  return { events, publish: async (e) => void events.push(...e) };
}

export function fixedSecrets(values: Partial<Record<SecretName, string>>): Secrets {
  return { get: async (name) => values[name] };
}

export function fixedClock(iso = '2026-11-30T10:00:00.000Z'): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return {
    now: () => new Date(now),
    set: (next) => {
      now = new Date(next);
    },
  };
}

export const testConfig = (raw: unknown = {}): HubConfig => parseHubConfig(raw, 'test');

/** A store a test did not wire: any use of it fails the test, naming the store. */
function unwired<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, method) => {
      throw new Error(`${name}.${String(method)} used, but the test wired no ${name}`);
    },
  });
}

/** HubDeps made of fakes; pass the real stores (freshStore) for integration tests. */
export function fakeDeps(overrides: Partial<HubDeps>): HubDeps {
  return {
    store: unwired<LeadStore>('store'),
    receipts: unwired<ReceiptStore>('receipts'),
    env: parseEnv({}),
    config: testConfig(),
    captureQueue: recordingQueue(),
    bus: recordingBus(),
    secrets: fixedSecrets({ LEADHUB_PEPPER: 'test-pepper', LEADHUB_ADMIN_TOKEN: 'admin-token' }),
    clock: fixedClock(),
    logger: silentLogger,
    ...overrides,
  };
}

/** An API Gateway HTTP API v2 event, as API Gateway (and the local server) build them. */
export function httpEvent(options: {
  method: string;
  routeKey: string;
  path: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** API Gateway's id of the request (default `req-1`). */
  requestId?: string;
  /** An IAM principal's ARN: the request as API Gateway's IAM authorizer lets it in. */
  iamUserArn?: string;
}): APIGatewayProxyEventV2 {
  const body = options.body;
  const isBinary = Buffer.isBuffer(body);
  return {
    version: '2.0',
    routeKey: options.routeKey,
    rawPath: options.path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    queryStringParameters: options.query,
    pathParameters: options.pathParameters,
    isBase64Encoded: isBinary,
    body: body === undefined ? undefined : isBinary ? body.toString('base64') : body,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      requestId: options.requestId ?? 'req-1',
      routeKey: options.routeKey,
      stage: '$default',
      time: '30/Nov/2026:10:00:00 +0000',
      timeEpoch: 0,
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'test-agent/1.0',
      },
      ...(options.iamUserArn
        ? {
            // What the HTTP API's IAM authorizer puts in the event (payload format 2.0).
            authorizer: {
              iam: {
                accessKey: 'ASIAEXAMPLEKEY',
                accountId: '123456789012',
                callerId: 'AROAEXAMPLEID:session',
                cognitoIdentity: null,
                principalOrgId: null,
                userArn: options.iamUserArn,
                userId: 'AROAEXAMPLEID:session',
              },
            },
          }
        : {}),
    },
  };
}

/** An SQS batch as Lambda's event source mapping delivers it, one record per body. */
export function sqsEvent(
  bodies: readonly string[],
  queueArn = 'arn:aws:sqs:us-east-1:000000000000:leadhub-queue',
): SQSEvent {
  const region = queueArn.split(':')[3] ?? 'us-east-1';
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      receiptHandle: `h${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: region,
    })),
  };
}
