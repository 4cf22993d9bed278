import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';

export type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** The @aws-sdk/lib-dynamodb module, once loaded. */
export type LibDynamoDb = typeof import('@aws-sdk/lib-dynamodb');

/**
 * A @aws-sdk/lib-dynamodb command described without loading that package: the stores build these with
 * the SDK's class names and inputs, and the document client (client.ts) turns each into the SDK's own
 * command once it has loaded the SDK. A static import of the SDK's command classes would load the whole
 * DynamoDB client at module init, on every cold start, even in functions that never call DynamoDB.
 */
export abstract class DocumentCommand<Input extends object, Output> {
  /** Never set: it carries the command's output type to `send`. */
  declare readonly output?: Output;
  readonly input: Input;

  constructor(input: Input) {
    this.input = input;
  }

  /** The SDK's own command with this input, for the SDK's document client to send. */
  abstract toSdkCommand(sdk: LibDynamoDb): object;
}

export class GetCommand extends DocumentCommand<GetCommandInput, GetCommandOutput> {
  toSdkCommand(sdk: LibDynamoDb): object {
    return new sdk.GetCommand(this.input);
  }
}

export class PutCommand extends DocumentCommand<PutCommandInput, PutCommandOutput> {
  toSdkCommand(sdk: LibDynamoDb): object {
    return new sdk.PutCommand(this.input);
  }
}

export class UpdateCommand extends DocumentCommand<UpdateCommandInput, UpdateCommandOutput> {
  toSdkCommand(sdk: LibDynamoDb): object {
    return new sdk.UpdateCommand(this.input);
  }
}

export class DeleteCommand extends DocumentCommand<DeleteCommandInput, DeleteCommandOutput> {
  toSdkCommand(sdk: LibDynamoDb): object {
    return new sdk.DeleteCommand(this.input);
  }
}

export class QueryCommand extends DocumentCommand<QueryCommandInput, QueryCommandOutput> {
  toSdkCommand(sdk: LibDynamoDb): object {
    return new sdk.QueryCommand(this.input);
  }
}

export class BatchGetCommand extends DocumentCommand<BatchGetCommandInput, BatchGetCommandOutput> {
  toSdkCommand(sdk: LibDynamoDb): object {
    return new sdk.BatchGetCommand(this.input);
  }
}

/** What the stores need of a DynamoDB document client: sending the commands above. */
export interface DocumentClient {
  send<Input extends object, Output>(command: DocumentCommand<Input, Output>): Promise<Output>;
}

/**
 * `error instanceof ConditionalCheckFailedException` without loading @aws-sdk/client-dynamodb: the
 * error is recognised by its name, which is how the SDK names the exception it throws.
 */
export const ConditionalCheckFailedException = {
  [Symbol.hasInstance](error: unknown): boolean {
    return error instanceof Error && error.name === 'ConditionalCheckFailedException';
  },
};
