import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { ScheduledPayload, Scheduler } from '../../ports.js';

export interface EventBridgeSchedulerOptions {
  groupName: string;
  /** The SLA escalator function; without it (and the role) this adapter can only cancel. */
  targetArn?: string;
  /** Role EventBridge Scheduler assumes to invoke the target. */
  roleArn?: string;
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
 */
export function createEventBridgeScheduler(options: EventBridgeSchedulerOptions): Scheduler {
  const client = options.client ?? new SchedulerClient({});
  return {
    async schedule(name: string, at: Date, payload: ScheduledPayload): Promise<void> {
      if (!options.targetArn || !options.roleArn) {
        throw new Error('SLA_ESCALATOR_ARN and SLA_SCHEDULER_ROLE_ARN are not set for this function');
      }
      try {
        await client.send(
          new CreateScheduleCommand({
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
            },
          }),
        );
      } catch (error) {
        if (error instanceof ConflictException) return;
        throw error;
      }
    },

    async cancel(name: string): Promise<void> {
      try {
        await client.send(new DeleteScheduleCommand({ Name: name, GroupName: options.groupName }));
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return;
        throw error;
      }
    },
  };
}
