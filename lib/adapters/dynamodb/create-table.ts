import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { type IndexProjection, TableDesign } from './table-design.js';

/** An index projection as CreateTable takes it. */
export function projectionOf(projection: IndexProjection) {
  return projection.type === 'INCLUDE'
    ? { ProjectionType: projection.type, NonKeyAttributes: [...projection.attributes] }
    : { ProjectionType: projection.type };
}

/** Creates the hub's table when it does not exist (local runtime and tests; CDK owns it on AWS). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const { byId, byMonth } = TableDesign.indexes;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: TableDesign.partitionKey, AttributeType: 'S' },
        { AttributeName: TableDesign.sortKey, AttributeType: 'S' },
        { AttributeName: byId.partitionKey, AttributeType: 'S' },
        { AttributeName: byId.sortKey, AttributeType: 'S' },
        { AttributeName: byMonth.partitionKey, AttributeType: 'S' },
        { AttributeName: byMonth.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: TableDesign.partitionKey, KeyType: 'HASH' },
        { AttributeName: TableDesign.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [byId, byMonth].map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: projectionOf(index.projection),
      })),
    }),
  );
  // dynalite may be configured with a creation delay; wait until ACTIVE either way.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE`);
}
