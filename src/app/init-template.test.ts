import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../core/config.js';
import { INIT_TEMPLATE } from './init-template.js';

describe('the airlock init template', () => {
  it('accepts the template that `airlock init` writes', () => {
    const c = parseConfig(parse(INIT_TEMPLATE));
    expect(Object.keys(c.environments)).toEqual(['prod', 'staging', 'dev']);
    expect(c.resources[0]?.name).toBe('payments-api');
  });
});
