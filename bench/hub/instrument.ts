import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEventV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DynamoClients } from '../../lib/adapters/dynamodb/client.js';
import { createDynamoDbLeadStore } from '../../lib/adapters/dynamodb/lead-store.js';
import { createDynamoDbReceiptStore } from '../../lib/adapters/dynamodb/receipt-store.js';
import { TableDesign } from '../../lib/adapters/dynamodb/table-design.js';
import { createWebhookNotifier } from '../../lib/adapters/slack/webhook-notifier.js';
import type { HubDeps } from '../../lib/deps.js';
import { createCaptureWorker } from '../../lib/handlers/capture-worker.js';
import { createEnrichWorker } from '../../lib/handlers/enrich-worker.js';
import { createFormsHttpHandler } from '../../lib/handlers/http-forms.js';
import { createWebhooksHttpHandler } from '../../lib/handlers/http-webhooks.js';
import { createSlackNotifier } from '../../lib/handlers/slack-notifier.js';
import type { HttpResult } from '../../lib/http/responses.js';
import type { HubFactories } from '../../lib/local/runtime.js';
import type { CaptureMessage, EventBus, Notifier, Queue, Secrets } from '../../lib/ports.js';
import { DynamoMeter, type SendsCommands } from '../dynamo-meter.js';
import { chunks64k, type HubUsage, type PipelineFunction, type QueueUsage } from '../usage.js';

type Doc = DynamoClients['doc'];

/** Size of an EventBridge entry as billed: detail, detail-type and source. */
function entryBytes(detailType: string, detail: unknown): number {
  return (
    Buffer.byteLength(JSON.stringify(detail)) + Buffer.byteLength(detailType) + Buffer.byteLength('leadhub')
  );
}

/**
 * The hub's real handlers and adapters, each wrapped to count what a Lambda deployment would be billed
 * for: invocations and their wall time, SQS requests, PutEvents entries, DynamoDB calls (and, with a
 * meter, their request units), Slack posts. The counts go into `usage`; nothing else changes.
 */
export function instrumentedFactories(
  usage: HubUsage,
  options: { meter: boolean; ingestOnly?: boolean },
): { factories: Partial<HubFactories>; meter?: DynamoMeter } {
  const meter = options.meter
    ? new DynamoMeter(
        { partitionKey: TableDesign.partitionKey, sortKey: TableDesign.sortKey },
        Object.values(TableDesign.indexes),
      )
    : undefined;
  let table: { doc: Doc; tableName: string } | undefined;

  /** Times a call to another service, so a handler's own compute can be told from its waiting. */
  const timedCall = async <T>(fn: PipelineFunction, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await call();
    } finally {
      usage.functions[fn].callMs += performance.now() - started;
    }
  };

  const countedDoc = (doc: Doc, fn: PipelineFunction | 'runtime'): Doc => {
    const metered = meter ? meter.wrap(doc as SendsCommands, fn) : doc;
    if (fn === 'runtime') return metered as Doc;
    return new Proxy(metered, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return (...args: unknown[]) => {
          usage.functions[fn].calls.dynamo += 1;
          return timedCall(fn, () => (target as SendsCommands).send(...(args as [unknown])));
        };
      },
    }) as Doc;
  };

  const tableFor = (fn: PipelineFunction) => {
    if (!table) throw new Error('the lead store factory has not run yet');
    return { doc: countedDoc(table.doc, fn), tableName: table.tableName };
  };

  const secretsFor = (fn: PipelineFunction, secrets: Secrets): Secrets => ({
    get: (name) => {
      usage.functions[fn].calls.secrets += 1;
      return timedCall(fn, () => secrets.get(name));
    },
  });

  const busFor = (fn: PipelineFunction, bus: EventBus): EventBus => ({
    async publish(events) {
      // The EventBridge adapter sends at most 10 entries per PutEvents call.
      const calls = Math.ceil(events.length / 10);
      usage.functions[fn].calls.putEvents += calls;
      usage.events.putEventsCalls += calls;
      for (const e of events) {
        const bytes = entryBytes(e.detailType, e.detail);
        usage.events.entries += 1;
        usage.events.entryChunks += chunks64k(bytes);
        usage.events.bytes += bytes;
        usage.events.byType[e.detailType] = (usage.events.byType[e.detailType] ?? 0) + 1;
      }
      return timedCall(fn, () => bus.publish(events));
    },
  });

  const captureQueueFor = (fn: PipelineFunction, queue: Queue<CaptureMessage>): Queue<CaptureMessage> => ({
    async send(message) {
      usage.functions[fn].calls.sqsSend += 1;
      usage.queues.capture.sends += 1;
      usage.queues.capture.sendChunks += chunks64k(Buffer.byteLength(JSON.stringify(message)));
      return timedCall(fn, () => queue.send(message));
    },
  });

  const depsFor = (fn: PipelineFunction, deps: HubDeps): HubDeps => ({
    ...deps,
    store: createDynamoDbLeadStore(tableFor(fn)),
    receipts: createDynamoDbReceiptStore(tableFor(fn)),
    secrets: secretsFor(fn, deps.secrets),
    bus: busFor(fn, deps.bus),
    captureQueue: captureQueueFor(fn, deps.captureQueue),
  });

  const timed = async <T>(fn: PipelineFunction, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      usage.functions[fn].invocations += 1;
      usage.functions[fn].wallMs += performance.now() - started;
    }
  };

  /** An SQS consumer as Lambda's event source mapping drives it: one receive, one delete per batch. */
  const sqsConsumer = (
    fn: PipelineFunction,
    name: keyof HubUsage['queues'],
    handler: (event: SQSEvent) => Promise<SQSBatchResponse>,
    countSends: boolean,
  ) => {
    return async (event: SQSEvent) => {
      // Looked up per call: a reset replaces the counters.
      const queue: QueueUsage = usage.queues[name];
      const records = event.Records;
      const bytes = records.reduce((sum, r) => sum + Buffer.byteLength(r.body), 0);
      queue.receives += 1;
      queue.receiveChunks += chunks64k(bytes);
      for (const r of records) {
        if (r.attributes.ApproximateReceiveCount === '1') {
          queue.firstReceives += 1;
          // EventBridge's SendMessage into the enrich queue, one per matched event.
          if (countSends) {
            queue.sends += 1;
            queue.sendChunks += chunks64k(Buffer.byteLength(r.body));
          }
        } else queue.redeliveries += 1;
      }
      usage.functions[fn].records += records.length;
      const result = await timed(fn, () => handler(event));
      if ((result?.batchItemFailures?.length ?? 0) < records.length) queue.deletes += 1;
      return result;
    };
  };

  /** An HTTP API route's Lambda: one API Gateway request and one invocation per request. */
  const httpFunction = (
    fn: PipelineFunction,
    handler: (event: APIGatewayProxyEventV2) => Promise<HttpResult>,
  ) => {
    return async (event: APIGatewayProxyEventV2) => {
      usage.httpRequests += 1;
      const result = await timed(fn, () => handler(event));
      const status = String(result.statusCode);
      usage.httpStatus[status] = (usage.httpStatus[status] ?? 0) + 1;
      return result;
    };
  };

  const factories: Partial<HubFactories> = {
    leadStore(options) {
      table = options;
      return createDynamoDbLeadStore({
        doc: countedDoc(options.doc, 'runtime'),
        tableName: options.tableName,
      });
    },
    receiptStore(options) {
      return createDynamoDbReceiptStore({
        doc: countedDoc(options.doc, 'runtime'),
        tableName: options.tableName,
      });
    },
    webhookNotifier(url: string): Notifier {
      const real = createWebhookNotifier(url);
      return {
        post(message) {
          usage.slackPosts += 1;
          usage.functions['slack-notifier'].calls.slackPost += 1;
          return timedCall('slack-notifier', () => real.post(message));
        },
      };
    },
    formsHttp(deps) {
      return httpFunction('http-forms', createFormsHttpHandler(depsFor('http-forms', deps)));
    },
    webhooksHttp(deps) {
      return httpFunction('http-webhooks', createWebhooksHttpHandler(depsFor('http-webhooks', deps)));
    },
    captureWorker(deps) {
      if (options.ingestOnly) return async () => ({ batchItemFailures: [] });
      return sqsConsumer(
        'capture-worker',
        'capture',
        createCaptureWorker(depsFor('capture-worker', deps)),
        false,
      );
    },
    enrichWorker(deps) {
      return sqsConsumer('enrich-worker', 'enrich', createEnrichWorker(depsFor('enrich-worker', deps)), true);
    },
    slackNotifier(deps) {
      const handler = createSlackNotifier(depsFor('slack-notifier', deps));
      return async (event) => {
        usage.functions['slack-notifier'].records += 1;
        return timed('slack-notifier', () => handler(event));
      };
    },
  };
  return meter ? { factories, meter } : { factories };
}
