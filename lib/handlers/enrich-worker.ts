import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { HubDeps } from '../deps.js';
import { enrichAndScore, InvalidEventError, parseLeadCapturedBody } from '../pipeline/enrich-score.js';

/**
 * SQS consumer of the enrich queue (fed by the LeadCaptured rule). Each record is handled on its own and
 * failed records are returned as batchItemFailures, so one bad record never fails its neighbours.
 */
export function createEnrichWorker(deps: HubDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const handleRecord = async (record: SQSRecord): Promise<void> => {
    let leadId: string | undefined;
    try {
      const captured = parseLeadCapturedBody(record.body);
      leadId = captured.leadId;
      const result = await enrichAndScore(deps, captured);
      if (result.status === 'skipped') {
        // Done, not failed: retrying cannot bring back data that was removed on purpose.
        deps.logger.info('lead not scored: its data was removed', {
          messageId: record.messageId,
          leadId,
          reason: result.reason,
        });
        return;
      }
      deps.logger.info('lead scored', {
        messageId: record.messageId,
        leadId,
        score: result.detail.score,
        grade: result.detail.grade,
        stage: result.detail.stage,
      });
    } catch (error) {
      if (error instanceof InvalidEventError) {
        // Permanent: retries cannot help; after maxReceiveCount SQS moves it to the DLQ for inspection.
        deps.logger.error('invalid LeadCaptured record', {
          messageId: record.messageId,
          reason: error.message,
          issues: error.issues,
        });
      } else {
        deps.logger.warn('enrich and score failed, SQS will redeliver', {
          messageId: record.messageId,
          leadId,
          error: errorSummary(error),
        });
      }
      throw error;
    }
  };

  return async (event) => {
    // A processor holds one batch's state, so each invocation gets its own.
    const processor = new BatchProcessor(EventType.SQS, { logger: deps.logger });
    // A fully failed batch is reported item by item rather than thrown: SQS treats both the same, and
    // the local queue then sees one consistent shape.
    return processPartialResponse(event, handleRecord, processor, { throwOnFullBatchFailure: false });
  };
}

function errorSummary(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'NonError', message: String(error).slice(0, 200) };
}
