import { type App, type CfnElement, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { LeadHubStack } from './stacks/leadhub-stack.js';

/** cdk-nag 3 is a policy-validation plugin: any unacknowledged finding fails `app.synth()` and `cdk synth`. */
export function registerNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/**
 * Every accepted cdk-nag finding of the LeadHub stack, each with the reason it is accepted. Findings are
 * acknowledged on the narrowest construct that owns them, so a new resource still gets checked.
 */
export function acknowledgeNagFindings(stack: LeadHubStack): void {
  const tableArn = `<${stack.getLogicalId(stack.table.node.defaultChild as CfnElement)}.Arn>`;

  for (const hub of Object.values(stack.functions)) {
    Validations.of(hub).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'AWSLambdaBasicExecutionRole only allows writing to CloudWatch Logs; it is the standard policy for a ' +
          'Lambda log group and grants no data access.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) does not support resource-level ' +
          'permissions, so Tracing.ACTIVE needs Resource "*".',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${tableArn}/index/*]`,
        reason:
          'The grant covers the GSIs of the LeadHub table only (byId, byMonth): queries by lead id and by month ' +
          'must read them. No other table is reachable.',
      },
    );
  }

  Validations.of(stack.secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'LEADHUB_PEPPER must not rotate: every identity and suppression key is an HMAC under it, so a new pepper ' +
      'would orphan all contacts and forget every opt-out. The other values are issued by third parties ' +
      '(Slack webhook URLs, the form signing secret shared with integrators) and are rotated there.',
  });

  for (const [name, queue] of Object.entries(stack.deadLetterQueues)) {
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        `${name} is itself a dead-letter queue (EventBridge target DLQ or Lambda on-failure destination), which ` +
        'cdk-nag cannot see because it only recognises SQS redrive policies. It is alarmed.',
    });
  }

  for (const { spec, route } of stack.publicRoutes) {
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        spec.fn === 'http-forms'
          ? 'Public by design: browsers and integrators post forms without AWS credentials. The forms function ' +
            'authenticates each request itself (HMAC signature over the raw body when signed or required, ' +
            'per-form allowed origins, honeypot, body size limit) and the stage is throttled.'
          : 'Unauthenticated health check for uptime monitors; it returns no lead or configuration data.',
    });
  }
}
