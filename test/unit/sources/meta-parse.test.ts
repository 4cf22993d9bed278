import { describe, expect, it } from 'vitest';
import { metaDeliveryOf, parseMetaWebhook } from '../../../lib/sources/meta/parse.js';

const parse = (text: string) => parseMetaWebhook(Buffer.from(text));
const ok = (text: string) => {
  const result = parse(text);
  if (!result.ok) throw new Error(result.message);
  return result;
};

describe('parseMetaWebhook', () => {
  it('reads the documented sample: ids as bare numbers, two changes in one entry', () => {
    const result = ok(`{
      "object": "page",
      "entry": [{ "id": 153125381133, "time": 1438292065, "changes": [
        { "field": "leadgen", "value": { "leadgen_id": 123123123123, "page_id": 153125381133,
          "form_id": 12312312312, "adgroup_id": 12312312312, "ad_id": 12312312312, "created_time": 1440120384 } },
        { "field": "leadgen", "value": { "leadgen_id": 123123123124, "page_id": 153125381133,
          "form_id": 12312312312, "adgroup_id": 12312312312, "ad_id": 12312312312, "created_time": 1440120384 } }
      ] }]
    }`);
    expect(result.notifications).toEqual([
      {
        leadgenId: '123123123123',
        pageId: '153125381133',
        formId: '12312312312',
        adId: '12312312312',
        createdTime: '2015-08-21T01:26:24.000Z',
        notifiedAt: '2015-07-30T21:34:25.000Z',
      },
      expect.objectContaining({ leadgenId: '123123123124' }),
    ]);
    expect(result).toMatchObject({ ignored: 0, unreadable: [], leftOut: [], repeated: 0 });
  });

  it('keeps 18-digit ids exact when they arrive as bare JSON numbers (past 2^53)', () => {
    const result = ok(
      '{"object":"page","entry":[{"id":100200300400500,"time":1764496800,"changes":[{"field":"leadgen",' +
        '"value":{"leadgen_id":900000000000000001,"page_id":100200300400500,"form_id":912345678901234567,' +
        '"ad_id":120251304671210738,"created_time":1764496799}}]}]}',
    );
    // What JSON.parse would have made of it:
    expect(String(JSON.parse('900000000000000001'))).not.toBe('900000000000000001');
    expect(result.notifications[0]).toMatchObject({
      leadgenId: '900000000000000001',
      formId: '912345678901234567',
      adId: '120251304671210738',
    });
  });

  it('accepts ids sent as strings too, and takes adgroup_id when ad_id is absent', () => {
    const result = ok(
      '{"object":"page","entry":[{"id":"1","changes":[{"field":"leadgen","value":' +
        '{"leadgen_id":"444","page_id":"1","adgroup_id":"777"}}]}]}',
    );
    expect(result.notifications).toEqual([{ leadgenId: '444', pageId: '1', adId: '777' }]);
  });

  it('handles several entries with several changes, ignoring non-leadgen changes', () => {
    const change = (id: number, page: number) =>
      `{"field":"leadgen","value":{"leadgen_id":${id},"page_id":${page},"form_id":5}}`;
    const result = ok(`{"object":"page","entry":[
      {"id":1,"time":1764496800,"changes":[${change(11, 1)},{"field":"feed","value":{"item":"post"}},${change(12, 1)}]},
      {"id":2,"time":1764496800,"changes":[{"field":"conversations","value":{}},${change(21, 2)}]},
      {"id":3,"time":1764496800,"messaging":[{"sender":{"id":"9"}}]}
    ]}`);
    expect(result.notifications.map((n) => [n.leadgenId, n.pageId])).toEqual([
      ['11', '1'],
      ['12', '1'],
      ['21', '2'],
    ]);
    expect(result.ignored).toBe(2);
  });

  it('keeps the same leadgen_id once when a batch repeats it', () => {
    const change = '{"field":"leadgen","value":{"leadgen_id":11,"page_id":1}}';
    const result = ok(
      `{"object":"page","entry":[{"id":1,"changes":[${change},${change}]},{"id":1,"changes":[${change}]}]}`,
    );
    expect(result.notifications).toHaveLength(1);
    expect(result.repeated).toBe(2);
  });

  it('ignores every change of an object other than page', () => {
    const result = ok(
      '{"object":"instagram","entry":[{"id":1,"changes":[{"field":"leadgen","value":{"leadgen_id":1,"page_id":1}}]}]}',
    );
    expect(result.notifications).toEqual([]);
    expect(result.ignored).toBe(1);
  });

  it('hands back leadgen changes without a usable leadgen_id or page id, with their reasons, and keeps the rest', () => {
    const result = ok(`{"object":"page","entry":[{"time":1764496800,"changes":[
      {"field":"leadgen","value":{"page_id":1}},
      {"field":"leadgen","value":{"leadgen_id":"abc","page_id":1}},
      {"field":"leadgen","value":{"leadgen_id":1.5,"page_id":1}},
      {"field":"leadgen","value":"nope"},
      {"field":"leadgen","value":{"leadgen_id":98}},
      {"field":"leadgen","value":{"leadgen_id":99,"page_id":1}}
    ]}]}`);
    expect(result.notifications.map((n) => n.leadgenId)).toEqual(['99']);
    expect(result.unreadable.map((u) => u.reason)).toEqual([
      'leadgen change without a usable leadgen_id',
      'leadgen change without a usable leadgen_id',
      'leadgen change without a usable leadgen_id',
      'leadgen change value is not an object',
      'leadgen change without a usable page_id',
    ]);
    // Kept as received (numbers as their digits), with what reading it again needs.
    expect(result.unreadable[2]).toEqual({
      item: { field: 'leadgen', value: { leadgen_id: '1.5', page_id: '1' } },
      context: { object: 'page', part: 'change', entryTime: '1764496800' },
      reason: 'leadgen change without a usable leadgen_id',
    });
  });

  it('reads a lead whose other fields are unreadable, leaving out only those fields', () => {
    const result = ok(`{"object":"page","entry":[{"id":"page-one","time":"soon","changes":[
      {"field":"leadgen","value":{"leadgen_id":11,"page_id":1,"form_id":"form-7","ad_id":{},"adgroup_id":5,
        "created_time":"yesterday"}}
    ]}]}`);
    expect(result.notifications).toEqual([{ leadgenId: '11', pageId: '1', adId: '5' }]);
    expect(result.unreadable).toEqual([]);
    expect(result.leftOut.sort()).toEqual(['ad_id', 'created_time', 'form_id', 'id', 'time']);
  });

  it("takes the entry's page id when the change's own is unreadable", () => {
    const result = ok(
      '{"object":"page","entry":[{"id":7,"changes":[{"field":"leadgen","value":{"leadgen_id":11,"page_id":"p"}}]}]}',
    );
    expect(result.notifications).toEqual([{ leadgenId: '11', pageId: '7' }]);
    expect(result.leftOut).toEqual(['page_id']);
  });

  it('hands back entries and changes it cannot read instead of failing the delivery', () => {
    const result = ok(
      '{"object":"page","entry":["x",{"id":1,"changes":{}},{"id":1,"changes":[1,{"field":2},' +
        '{"field":"leadgen","value":{"leadgen_id":5,"page_id":1}}]}]}',
    );
    expect(result.notifications.map((n) => n.leadgenId)).toEqual(['5']);
    expect(result.unreadable.map((u) => [u.item, u.context?.part, u.reason])).toEqual([
      ['x', 'entry', 'entry is not an object with a "changes" list'],
      [{ id: '1', changes: {} }, 'entry', 'entry is not an object with a "changes" list'],
      ['1', 'change', 'change is not an object with a "field"'],
    ]);
    // A number as the field name reads as its digits: another field, not ours.
    expect(result.ignored).toBe(1);
  });

  it('rebuilds the one-entry delivery of a kept item, which reads the same', () => {
    const body = Buffer.from(
      '{"object":"page","entry":[{"id":7,"time":1764496800,"changes":[{"field":"leadgen","value":{"leadgen_id":"x"}}]},"y"]}',
    );
    const [change, entry] = ok(body.toString()).unreadable;
    for (const kept of [change, entry]) {
      if (!kept) throw new Error('expected two unreadable items');
      const again = parseMetaWebhook(metaDeliveryOf(kept));
      expect(again.ok && again.unreadable).toEqual([kept]);
    }
  });

  it('accepts an empty batch', () => {
    expect(ok('{"object":"page","entry":[]}').notifications).toEqual([]);
  });

  it('rejects bodies that are not the webhook envelope', () => {
    for (const text of [
      '',
      'not json',
      '{"object":"page","entry":[',
      '[]',
      'null',
      '{"entry":[]}',
      '{"object":"page"}',
      '{"object":"page","entry":{}}',
      '{"object":{},"entry":[]}',
    ]) {
      expect(parse(text).ok, text).toBe(false);
    }
  });
});
