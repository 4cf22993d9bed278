import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from '../lib/zod.js';
import { EventContracts } from './contracts.js';
import {
  sampleConsentWithdrawn,
  sampleContactErased,
  sampleContactsMerged,
  sampleEnvelope,
  sampleLeadCaptured,
  sampleLeadClaimed,
  sampleLeadDeleted,
  sampleLeadDisqualified,
  sampleLeadScored,
  sampleLeadSlaBreached,
  sampleSourceConnectionFailed,
} from './samples.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The JSON Schema published for each event's `detail`, generated from the zod contract. */
export function jsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [detailType, schema] of Object.entries(EventContracts)) {
    const jsonSchema = {
      ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' }),
      $id: `https://leadhub.dev/events/${detailType}.v1.json`,
      title: `${detailType} v1 (EventBridge detail, source "leadhub", detail-type "${detailType}")`,
    };
    files[`schemas/${detailType}.v1.json`] = `${JSON.stringify(jsonSchema, null, 2)}\n`;
  }
  files['samples/LeadCaptured.v1.json'] =
    `${JSON.stringify(sampleEnvelope('LeadCaptured', sampleLeadCaptured), null, 2)}\n`;
  files['samples/LeadScored.v1.json'] =
    `${JSON.stringify(sampleEnvelope('LeadScored', sampleLeadScored), null, 2)}\n`;
  files['samples/SourceConnectionFailed.v1.json'] =
    `${JSON.stringify(sampleEnvelope('SourceConnectionFailed', sampleSourceConnectionFailed), null, 2)}\n`;
  for (const [detailType, sample] of [
    ['LeadClaimed', sampleLeadClaimed],
    ['LeadDisqualified', sampleLeadDisqualified],
    ['LeadSlaBreached', sampleLeadSlaBreached],
    ['LeadDeleted', sampleLeadDeleted],
    ['ConsentWithdrawn', sampleConsentWithdrawn],
    ['ContactErased', sampleContactErased],
    ['ContactsMerged', sampleContactsMerged],
  ] as const) {
    files[`samples/${detailType}.v1.json`] =
      `${JSON.stringify(sampleEnvelope(detailType, sample), null, 2)}\n`;
  }
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, content] of Object.entries(jsonSchemaFiles())) {
    const path = join(here, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    console.log(`wrote events/${name}`);
  }
}
