import { InvalidCursorError } from '../../ports.js';
import { TableDesign } from './table-design.js';

/** A query's LastEvaluatedKey as an opaque page cursor. */
export function encodeKeyCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * A cursor back to the ExclusiveStartKey it was made from, refused (InvalidCursorError) unless it is an
 * object of strings whose index partition key `attribute` is `expectedPk`: a cursor of another listing,
 * or a forged one, never reaches DynamoDB.
 */
export function decodeKeyCursor(
  raw: string,
  expectedPk: string,
  attribute: string = TableDesign.indexes.byId.partitionKey,
): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key === null || typeof key !== 'object' || key[attribute] !== expectedPk) throw new Error('key');
    for (const value of Object.values(key)) if (typeof value !== 'string') throw new Error('value');
    return key;
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
}
