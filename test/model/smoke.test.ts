import { strict as assert } from 'node:assert';
import type { Shape } from '../../src/model/types';

describe('toolchain', () => {
  it('runs TypeScript tests', () => {
    const shape: Shape = [null, 26, 26, 64];
    assert.equal(shape.length, 4);
  });
});
