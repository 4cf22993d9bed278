import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { ScheduledPayload, Scheduler } from '../../ports.js';
import { loadOnce } from '../load-once.js';

export interface EventBridgeSchedulerOptions {
  groupName: string;
  /** The SLA escalator function; without it (and the role) this adapter can only cancel. */
  targetArn?: string;
  /** Role EventBridge Scheduler assumes to invoke the target. */
  roleArn?: string;
  /** SQS queue where the scheduler parks an invocation it could not deliver within its retry policy. */
  deadLetterArn?: string;
  client?: SchedulerClient;
  /** How long the scheduler keeps retrying a failed invocation. */
  maxEventAgeSeconds?: number;
  maxRetryAttempts?: number;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the next whole second (never early). */
export function atExpression(at: Date): string {
  const seconds = Math.ceil(at.getTime() / 1000) * 1000;
  return `at(${new Date(seconds).toISOString().slice(0, 19)})`;
}

/**
 * One-time EventBridge Scheduler schedules that delete themselves after running. Creating a schedule that
 * exists keeps it (a redelivered alert must not move its SLA); deleting one that is gone is fine.
 * The SDK is loaded at the first call (see load-once.ts).
 */
export function createEventBridgeScheduler(options: EventBridgeSchedulerOptions): Scheduler {
  const scheduler = loadOnce(async () => {
    const sdk = await import('@aws-sdk/client-scheduler');
    return { sdk, client: options.client ?? new sdk.SchedulerClient({}) };
  });
  return {
    async schedule(name: string, at: Date, payload: ScheduledPayload): Promise<void> {
      // A timer whose escalation can be lost unseen is worse than no timer: a dead-letter queue is required.
      if (!options.targetArn || !options.roleArn || !options.deadLetterArn) {
        throw new Error(
          'SLA_ESCALATOR_ARN, SLA_SCHEDULER_ROLE_ARN and SLA_DLQ_ARN are not all set for this function',
        );
      }
      const { sdk, client } = await scheduler();
      try {
        await client.send(
          new sdk.CreateScheduleCommand({
            Name: name,
            GroupName: options.groupName,
            ScheduleExpression: atExpression(at),
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Description: `LeadHub SLA check, level ${payload.level}`,
            Target: {
              Arn: options.targetArn,
              RoleArn: options.roleArn,
              Input: JSON.stringify(payload),
              RetryPolicy: {
                MaximumEventAgeInSeconds: options.maxEventAgeSeconds ?? 3600,
                MaximumRetryAttempts: options.maxRetryAttempts ?? 20,
              },
              DeadLetterConfig: { Arn: options.deadLetterArn },
            },
          }),
        );
      } catch (error) {
        if (error instanceof sdk.ConflictException) return;
        throw error;
      }
    },

    async cancel(name: string): Promise<void> {
      const { sdk, client } = await scheduler();
      try {
        await client.send(new sdk.DeleteScheduleCommand({ Name: name, GroupName: options.groupName }));
      } catch (error) {
        if (error instanceof sdk.ResourceNotFoundException) return;
        throw error;
      }
    },
  };
}
