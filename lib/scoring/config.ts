import { z } from 'zod';

/** Scoring rules and bands. Every value has a default taken from common lead-ops playbooks. */
export const ScoringConfigSchema = z
  .object({
    stages: z
      .array(z.object({ stage: z.string().min(1), minScore: z.number().int().min(0).max(100) }).strict())
      .default([
        { stage: 'nurture', minScore: 0 },
        { stage: 'sales_development', minScore: 51 },
        { stage: 'account_executive', minScore: 81 },
      ]),
    grades: z
      .array(z.object({ grade: z.string().min(1), minScore: z.number().int().min(0).max(100) }).strict())
      .default([
        { grade: 'D', minScore: 0 },
        { grade: 'C', minScore: 41 },
        { grade: 'B', minScore: 61 },
        { grade: 'A', minScore: 81 },
      ]),
  })
  .strict();
export type ScoringConfig = z.infer<typeof ScoringConfigSchema>;
