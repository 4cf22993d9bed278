import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accessTableMarkdown } from '../../infra/function-access.js';

describe('the declaration of what each function calls', () => {
  it('is what the README says each function may do', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(accessTableMarkdown());
  });
});
