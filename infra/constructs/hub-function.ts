import { join } from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The Lambda entry points, one file each under functions/. */
export type HubFunctionName =
  | 'http-forms'
  | 'http-admin'
  | 'http-privacy'
  | 'http-webhooks'
  | 'capture-worker'
  | 'enrich-worker'
  | 'slack-notifier'
  | 'http-slack'
  | 'sla-escalator'
  | 'receipt-sweeper';

/** Name of the config file inside every bundle; LEADHUB_CONFIG is resolved against /var/task. */
export const BUNDLED_CONFIG_NAME = 'leadhub.config.json';

/**
 * Lets CommonJS dependencies (free-email-domains, mailchecker) call `require` inside the ESM bundle.
 * The alias avoids clashing with any `createRequire` the bundled code declares itself.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __leadhubCreateRequire } from 'node:module'; const require = __leadhubCreateRequire(import.meta.url);";

export interface HubFunctionProps {
  /** Which file under functions/ this Lambda runs. */
  name: HubFunctionName;
  /** Repository root: holds functions/ and package-lock.json. */
  projectRoot: string;
  /** Absolute path of the hub config file copied into the bundle. */
  configFile: string;
  timeout: Duration;
  memorySize?: number;
  description?: string;
  /** Function-specific environment, merged over the house defaults. */
  environment?: Record<string, string>;
}

/** POSIX single-quoting, so a config path with spaces or quotes stays one argument. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** esbuild command hooks that put the hub config next to index.mjs in the bundle. */
export function configCopyHooks(configFile: string): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [
      `cp ${shellQuote(configFile)} ${shellQuote(`${outputDir}/${BUNDLED_CONFIG_NAME}`)}`,
    ],
  };
}

/**
 * The one NodejsFunction wrapper: every LeadHub Lambda gets the same runtime, architecture, ESM bundle,
 * log retention, tracing and config file, so a house default changes in one place.
 */
export class HubFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HubFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(props.projectRoot, 'functions', `${props.name}.ts`),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      description: props.description ?? `LeadHub ${props.name}`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'leadhub',
        LEADHUB_CONFIG: BUNDLED_CONFIG_NAME,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        commandHooks: configCopyHooks(props.configFile),
      },
    });
  }
}
