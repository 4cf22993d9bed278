import { type App, type CfnElement, Token, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ASYNC_INVOKED, type LeadHubStack } from './stacks/leadhub-stack.js';

/** cdk-nag 3 is a policy-validation plugin: any unacknowledged finding fails `app.synth()` and `cdk synth`. */
export function registerNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/**
 * Every accepted cdk-nag finding of the LeadHub stack, each with the reason it is accepted. Findings are
 * acknowledged on the narrowest construct that owns them, so a new resource still gets checked.
 */
export function acknowledgeNagFindings(stack: LeadHubStack): void {
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
    );
  }

  // With a customer-managed key, CDK's grant for sending to an on-failure queue (Lambda sends with the
  // function's role) names KMS actions by prefix.
  if (stack.kmsKey) {
    for (const name of ASYNC_INVOKED) {
      Validations.of(stack.functions[name]).acknowledge(
        ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason:
            'CDK grants these on the customer-managed key so that Lambda can send a failed invocation to the ' +
            "function's encrypted on-failure queue; the grant names that one key only.",
        })),
      );
    }
  }

  // SLA timers: schedules are created per lead at run time, so their ARNs are only known by group.
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const group = `<${stack.getLogicalId(stack.slaScheduleGroup.node.defaultChild as CfnElement)}>`;
  for (const name of ['slack-notifier', 'http-slack'] as const) {
    Validations.of(stack.functions[name]).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:${region}:<AWS::AccountId>:schedule/${group}/*]`,
      reason:
        'One-time SLA schedules are named per lead at run time (sla-{leadId}-{level}); the grant is limited to ' +
        "LeadHub's own schedule group and to creating/deleting schedules in it.",
    });
  }
  const escalatorArn = `<${stack.getLogicalId(stack.functions['sla-escalator'].fn.node.defaultChild as CfnElement)}.Arn>`;
  Validations.of(stack.slaSchedulerRole).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${escalatorArn}:*]`,
    reason:
      'grantInvoke covers the SLA escalator function and its versions/aliases (":*"); the role can invoke ' +
      'nothing else and only EventBridge Scheduler of this account may assume it.',
  });

  for (const [group, secret] of Object.entries(stack.secrets)) {
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        group === 'pepper'
          ? 'LEADHUB_PEPPER must not rotate: every identity and suppression key is an HMAC under it, so a new ' +
            'pepper would orphan all contacts and forget every opt-out. Its resource policy denies any change.'
          : 'Its values are issued by a third party (Slack, the ad platforms, or the form signing secret shared ' +
            'with integrators) and are rotated there, then put here; Secrets Manager cannot rotate them.',
    });
  }

  for (const [name, queue] of Object.entries(stack.deadLetterQueues)) {
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        `${name} is itself a dead-letter queue (EventBridge target DLQ or Lambda on-failure destination), which ` +
        'cdk-nag cannot see because it only recognises SQS redrive policies. It is alarmed (an on-failure ' +
        "queue through its function's AsyncEventsDropped alarm in the lean alarm set).",
    });
  }

  if (stack.formsEdge) {
    Validations.of(stack.formsEdge.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Web forms take leads from any country by design; which countries to refuse is a business choice, ' +
          'not a security default.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          "CloudFront's access logs record every viewer's IP address and user agent, personal data LeadHub keeps " +
          "out of its logs. Every request that passes is in the API's PII-free access log, and WAF's CloudWatch " +
          'metrics count the blocked ones.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          "The distribution uses CloudFront's default *.cloudfront.net certificate, whose security policy cannot " +
          'be raised above TLSv1; a custom domain with its own certificate (outside this stack) lifts it.',
      },
    );
  }

  for (const { spec, route } of stack.publicRoutes) {
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        spec.fn === 'http-forms'
          ? 'Public by design: browsers and integrators post forms without AWS credentials. The forms function ' +
            'authenticates each request itself (HMAC signature over the raw body when signed or required, ' +
            'per-form allowed origins, honeypot, body size limit); the form routes have their own throttle, and ' +
            'optionally a per-client WAF rate rule (formsWaf).'
          : spec.fn === 'http-slack'
            ? 'Public by design: Slack posts button clicks without AWS credentials. The function verifies ' +
              "Slack's request signature (HMAC-SHA256 over the raw body with the signing secret, constant-time, " +
              'timestamp within 5 minutes) before reading anything, and answers 401 otherwise.'
            : spec.fn === 'http-webhooks'
              ? 'Public by design: ad platforms (Meta, LinkedIn, TikTok, Google Ads) call webhooks without AWS ' +
                'credentials. The webhooks function authenticates each request itself, in constant time: Meta and ' +
                'LinkedIn POSTs need a valid HMAC-SHA256 signature over the raw body (X-Hub-Signature-256, ' +
                'X-LI-Signature), their GET handshakes the verify token or client secret; TikTok POSTs need the ' +
                'secret path token (and a valid X-Open-Signature when one is sent); Google POSTs need the ' +
                'shared google_key. The webhook routes have their own throttle, apart from the form routes.'
              : 'Unauthenticated health check for uptime monitors; it returns no lead or configuration data.',
    });
  }
}
