import { describe, expect, it } from 'vitest';
import { projectionOf } from '../../../lib/adapters/dynamodb/create-table.js';
import { TableDesign } from '../../../lib/adapters/dynamodb/table-design.js';

describe('index projections', () => {
  it('declares keys-only indexes, so updates of large items are not written again per index', () => {
    expect(Object.values(TableDesign.indexes).map((i) => [i.name, i.projection])).toEqual([
      ['byId', { type: 'KEYS_ONLY' }],
      ['byMonth', { type: 'KEYS_ONLY' }],
    ]);
  });

  it('turns a projection into CreateTable terms', () => {
    expect(projectionOf({ type: 'KEYS_ONLY' })).toEqual({ ProjectionType: 'KEYS_ONLY' });
    expect(projectionOf({ type: 'ALL' })).toEqual({ ProjectionType: 'ALL' });
    expect(projectionOf({ type: 'INCLUDE', attributes: ['status'] })).toEqual({
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: ['status'],
    });
  });
});
