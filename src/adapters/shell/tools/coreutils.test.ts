import { beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../../core/assessment.js';
import { type CompositeClassifier, createClassifier } from '../../classifier.js';

let classifier: CompositeClassifier;
beforeAll(async () => {
  classifier = await createClassifier();
});

const assess = (command: string) => classifier.classify({ kind: 'shell', command });
const paths = (targets: readonly Target[]) => targets.flatMap((t) => (t.type === 'path' ? [t.path] : []));

describe('ln and install name the paths they put in place', () => {
  it.each([
    ['ln -sf other.yaml config.yaml', ['config.yaml']],
    ['ln -s ../shared/env .', ['env']],
    ['ln -s /etc/hosts conf/', ['conf/hosts']],
    ['ln -s a b -t links', ['links/a', 'links/b']],
    ['ln -s target', []],
    ['install -m 644 build/app bin/app', ['bin/app']],
    ['install build/app build/lib dist/', ['dist/app', 'dist/lib']],
    ['install -d out/logs out/tmp', ['out/logs', 'out/tmp']],
  ])('%s → %j', (command, expected) => {
    const a = assess(command);
    expect(paths(a.targets)).toEqual(expected);
    expect(a.risk).toBe('write');
  });
});
