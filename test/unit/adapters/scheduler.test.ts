import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  atExpression,
  createEventBridgeScheduler,
} from '../../../lib/adapters/scheduler/eventbridge-scheduler.js';

const mock = mockClient(SchedulerClient);
const options = {
  groupName: 'leadhub-sla',
  targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:sla-escalator',
  roleArn: 'arn:aws:iam::123456789012:role/sla-scheduler',
  deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:sla-schedule-dlq',
  client: new SchedulerClient({ region: 'us-east-1' }),
};

describe('EventBridge Scheduler adapter', () => {
  beforeEach(() => mock.reset());

  it('creates a one-time schedule that deletes itself and invokes the escalator with the payload', async () => {
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });
    await createEventBridgeScheduler(options).schedule('sla-ld_1-1', new Date('2026-01-05T10:05:00.250Z'), {
      kind: 'sla',
      leadId: 'ld_1',
      level: 1,
    });
    const [call] = mock.commandCalls(CreateScheduleCommand);
    expect(call?.args[0].input).toEqual({
      Name: 'sla-ld_1-1',
      GroupName: 'leadhub-sla',
      ScheduleExpression: 'at(2026-01-05T10:05:01)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: 'LeadHub SLA check, level 1',
      Target: {
        Arn: options.targetArn,
        RoleArn: options.roleArn,
        Input: '{"kind":"sla","leadId":"ld_1","level":1}',
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
        // An escalation the scheduler could not deliver within the hour lands in an alarmed queue.
        DeadLetterConfig: { Arn: options.deadLetterArn },
      },
    });
  });

  it('refuses to schedule without a dead-letter queue', async () => {
    const { deadLetterArn: _dlq, ...withoutDlq } = options;
    await expect(
      createEventBridgeScheduler(withoutDlq).schedule('n', new Date(), {
        kind: 'sla',
        leadId: 'l',
        level: 1,
      }),
    ).rejects.toThrow('SLA_DLQ_ARN');
    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('keeps a schedule that already exists (a redelivered alert must not move its SLA)', async () => {
    mock
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    await expect(
      createEventBridgeScheduler(options).schedule('n', new Date(), { kind: 'sla', leadId: 'l', level: 1 }),
    ).resolves.toBeUndefined();
  });

  it('passes other errors on, so the caller can log them', async () => {
    mock.on(CreateScheduleCommand).rejects(new Error('AccessDenied'));
    await expect(
      createEventBridgeScheduler(options).schedule('n', new Date(), { kind: 'sla', leadId: 'l', level: 1 }),
    ).rejects.toThrow('AccessDenied');
  });

  it('deletes a schedule by name in the group; one already gone is fine', async () => {
    mock
      .on(DeleteScheduleCommand)
      .resolvesOnce({})
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    const scheduler = createEventBridgeScheduler(options);
    await scheduler.cancel('sla-ld_1-1');
    await scheduler.cancel('sla-ld_1-2');
    expect(mock.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: 'sla-ld_1-1', GroupName: 'leadhub-sla' },
      { Name: 'sla-ld_1-2', GroupName: 'leadhub-sla' },
    ]);
  });

  it('can only cancel without a target (the Slack actions function)', async () => {
    mock.on(DeleteScheduleCommand).resolves({});
    const cancelOnly = createEventBridgeScheduler({ groupName: 'g', client: options.client });
    await expect(cancelOnly.cancel('x')).resolves.toBeUndefined();
    await expect(
      cancelOnly.schedule('x', new Date(), { kind: 'sla', leadId: 'l', level: 1 }),
    ).rejects.toThrow('SLA_ESCALATOR_ARN');
    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('never schedules early: at() rounds up to the next whole second', () => {
    expect(atExpression(new Date('2026-01-05T10:05:00.000Z'))).toBe('at(2026-01-05T10:05:00)');
    expect(atExpression(new Date('2026-01-05T10:05:00.001Z'))).toBe('at(2026-01-05T10:05:01)');
  });
});
