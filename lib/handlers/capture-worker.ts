import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { HubDeps } from '../deps.js';
import { SourceSchema } from '../lead/model.js';
import { capture } from '../pipeline/capture.js';
import * as z from '../zod.js';

const CaptureMessageSchema = z.object({
  source: SourceSchema,
  platformLeadId: z.string().check(z.minLength(1)),
});

/**
 * Capture queue consumer. Records fail one by one (partial batch response): a failed record returns to
 * the queue and, after maxReceiveCount receives, lands in the DLQ; the rest of the batch is kept.
 */
export function createCaptureWorker(deps: HubDeps) {
  const handleRecord = async (record: SQSRecord) => {
    let message: z.infer<typeof CaptureMessageSchema>;
    try {
      message = CaptureMessageSchema.parse(JSON.parse(record.body));
    } catch {
      deps.logger.error('capture message is malformed', { messageId: record.messageId });
      throw new Error(`malformed capture message ${record.messageId}`);
    }
    return capture(deps, message);
  };
  return async function captureWorker(event: SQSEvent): Promise<SQSBatchResponse> {
    // A processor per invocation: it keeps per-batch state, and the local runtime may overlap batches.
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, handleRecord, processor, { throwOnFullBatchFailure: false });
  };
}
