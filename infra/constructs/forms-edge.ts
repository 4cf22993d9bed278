import { Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { LimitsConfig } from '../../lib/config.js';

/** CloudFront web ACLs exist only in this Region, whichever Region the API is in. */
export const CLOUDFRONT_WAF_REGION = 'us-east-1';
/** The rate rule's window: requests from one address are counted over the last minute. */
export const FORMS_WAF_WINDOW_SECONDS = 60;
/** AWS WAF's smallest rate-based limit. */
export const MIN_WAF_RATE_LIMIT = 10;
const FORMS_PATH_PREFIX = '/forms/';
const RATE_LIMITED_BODY = 'rate_limited';

/**
 * The WAF rule's limit for limits.formsPerClient: the most a token bucket of that burst and rate lets one
 * client send in one window (a full burst, then the refill), so both runtimes allow the same.
 */
export function formsWafLimit(perClient: LimitsConfig['formsPerClient']): number {
  const perWindow = perClient.burst + (perClient.perMinute * FORMS_WAF_WINDOW_SECONDS) / 60;
  return Math.max(MIN_WAF_RATE_LIMIT, Math.ceil(perWindow));
}

/**
 * A CloudFront-scoped web ACL with one rate-based rule: a client address sending more than `limit` form
 * requests in a minute gets 429 rate_limited with Retry-After until its rate falls below. Everything else
 * is allowed: the platforms' webhooks come from a few addresses each and must never be blocked by address.
 */
export class FormsWebAcl extends Construct {
  readonly acl: CfnWebACL;

  constructor(scope: Construct, id: string, props: { limit: number }) {
    super(scope, id);
    const metrics = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      // Sampled requests would keep client addresses and headers in the WAF console: personal data.
      sampledRequestsEnabled: false,
    });
    this.acl = new CfnWebACL(this, 'Resource', {
      scope: 'CLOUDFRONT',
      description: 'LeadHub: form posts per client address',
      defaultAction: { allow: {} },
      visibilityConfig: metrics('LeadHubForms'),
      customResponseBodies: {
        [RATE_LIMITED_BODY]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            error: 'rate_limited',
            message: `Too many requests; retry in ${FORMS_WAF_WINDOW_SECONDS} s`,
            retryAfterSeconds: FORMS_WAF_WINDOW_SECONDS,
          }),
        },
      },
      rules: [
        {
          name: 'FormsPerClient',
          priority: 0,
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              evaluationWindowSec: FORMS_WAF_WINDOW_SECONDS,
              limit: props.limit,
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'STARTS_WITH',
                  searchString: FORMS_PATH_PREFIX,
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: RATE_LIMITED_BODY,
                responseHeaders: [{ name: 'Retry-After', value: String(FORMS_WAF_WINDOW_SECONDS) }],
              },
            },
          },
          visibilityConfig: metrics('LeadHubFormsPerClient'),
        },
      ],
    });
  }
}

/** Holds the web ACL in us-east-1 when the API lives in another Region; its ARN crosses by reference. */
export class FormsWafStack extends Stack {
  readonly webAcl: FormsWebAcl;

  constructor(scope: Construct, id: string, props: StackProps & { limit: number }) {
    const { limit, ...stackProps } = props;
    super(scope, id, stackProps);
    this.webAcl = new FormsWebAcl(this, 'FormsWebAcl', { limit });
  }
}

/**
 * A CloudFront distribution in front of the HTTP API, so that the web ACL can see each client: AWS WAF
 * cannot be attached to an HTTP API. Nothing is cached; every method, header, cookie and query string
 * goes through, with the API's own Host.
 */
export class FormsEdge extends Construct {
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: { api: HttpApi; webAclArn: string }) {
    super(scope, id);
    const stack = Stack.of(this);
    const apiDomain = `${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'LeadHub web forms, rate-limited per client by AWS WAF',
      defaultBehavior: {
        origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      },
      webAclId: props.webAclArn,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
    });
  }
}
