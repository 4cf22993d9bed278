import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type AwsDepsOptions, awsDeps } from '../adapters/aws-deps.js';
import type { HubDeps } from '../deps.js';
import { logger } from '../logger.js';

/**
 * Wraps a handler factory for Lambda: AWS adapters are built once per container (on the first event,
 * so a cold start with a bad config fails loudly in the logs), then reused.
 */
export function lambdaHandler<E, R>(
  factory: (deps: HubDeps) => (event: E) => Promise<R>,
  options: AwsDepsOptions = {},
) {
  let built: Promise<(event: E) => Promise<R>> | undefined;
  const run = async (event: E, _context: Context): Promise<R> => {
    built ??= awsDeps(options)
      .then(factory)
      .catch((error: unknown) => {
        built = undefined;
        throw error;
      });
    return (await built)(event);
  };
  return middy(run).use(injectLambdaContext(logger));
}
