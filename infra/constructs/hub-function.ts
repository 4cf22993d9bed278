import { join } from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PHONE_METADATA_FILES, writePhoneMetadataFile } from '../../lib/lead/phone-metadata.js';
import {
  EMAIL_DOMAIN_PACKAGES,
  EMAIL_DOMAINS_FILE,
  writeEmailDomainsFile,
} from '../../lib/scoring/email-domains.js';

/** The Lambda entry points, one file each under functions/. */
export const HUB_FUNCTIONS = [
  'http-forms',
  'http-webhooks',
  'http-admin',
  'http-privacy',
  'http-slack',
  'capture-worker',
  'enrich-worker',
  'slack-notifier',
  'sla-escalator',
  'receipt-sweeper',
] as const;
export type HubFunctionName = (typeof HUB_FUNCTIONS)[number];

/** Name of the config file inside every bundle; LEADHUB_CONFIG is resolved against /var/task. */
export const BUNDLED_CONFIG_NAME = 'leadhub.config.json';

/**
 * Lets bundled CommonJS dependencies call `require` inside the ESM bundle.
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

/**
 * esbuild command hooks that put the hub config, and any data files, next to index.mjs in the bundle.
 * `dataFiles` is called only when the function is bundled, so a synth that skips bundling makes none.
 */
export function configCopyHooks(
  configFile: string,
  dataFiles: () => readonly string[] = () => [],
): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [
      `cp ${shellQuote(configFile)} ${shellQuote(`${outputDir}/${BUNDLED_CONFIG_NAME}`)}`,
      ...dataFiles().map((file) => `cp ${shellQuote(file)} ${shellQuote(`${outputDir}/`)}`),
    ],
  };
}

/**
 * Data a function reads at run time, shipped as a file beside its bundle instead of as bundled code
 * (lib/data-file.ts): `write` makes the file at synth from the packages it comes from.
 */
export interface BundleData {
  fileName: string;
  /** Packages left out of the bundle: the file replaces them (the code only reads them as a fallback). */
  packages: readonly string[];
  /** The source module that reads the file: a bundle that contains it must ship the file. */
  neededBy: string;
  write(path: string): void;
}

const PHONE_MIN: BundleData = {
  fileName: PHONE_METADATA_FILES.min,
  packages: [],
  neededBy: 'lib/lead/normalise.ts',
  write: (path) => writePhoneMetadataFile('min', path),
};
const PHONE_MAX: BundleData = {
  fileName: PHONE_METADATA_FILES.max,
  packages: [],
  neededBy: 'lib/scoring/phone.ts',
  write: (path) => writePhoneMetadataFile('max', path),
};
const EMAIL_DOMAINS: BundleData = {
  fileName: EMAIL_DOMAINS_FILE,
  packages: EMAIL_DOMAIN_PACKAGES,
  neededBy: 'lib/scoring/email-domains.ts',
  write: writeEmailDomainsFile,
};

/**
 * Which functions ship which data files: phone metadata where phone numbers are normalised (80 KB of
 * bundled JavaScript) or enriched (157 KB), the email domain lists (1.2 MB) where leads are enriched.
 */
export const BUNDLE_DATA: Partial<Record<HubFunctionName, readonly BundleData[]>> = {
  'http-forms': [PHONE_MIN],
  'http-webhooks': [PHONE_MIN],
  'http-privacy': [PHONE_MIN],
  'capture-worker': [PHONE_MIN],
  'enrich-worker': [PHONE_MAX, EMAIL_DOMAINS],
};

const written = new Set<string>();

/** Makes the data files once per process, under the project's node_modules/.cache; returns their paths. */
export function prepareBundleData(projectRoot: string, data: readonly BundleData[]): string[] {
  return data.map((d) => {
    const path = join(projectRoot, 'node_modules', '.cache', 'leadhub', d.fileName);
    if (!written.has(path)) {
      d.write(path);
      written.add(path);
    }
    return path;
  });
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
    const data = BUNDLE_DATA[props.name] ?? [];

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
        // The runtime provides the SDK; data packages are shipped as files (BUNDLE_DATA).
        externalModules: ['@aws-sdk/*', ...data.flatMap((d) => d.packages)],
        commandHooks: configCopyHooks(props.configFile, () => prepareBundleData(props.projectRoot, data)),
      },
    });
  }
}
