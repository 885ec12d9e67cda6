import assert from 'node:assert/strict';
import { seededRandom } from '../../src/util/random';

describe('seededRandom', () => {
  it('draws the same numbers from the same seed, other numbers from another', () => {
    const draw = (seed: number): number[] => Array.from({ length: 5 }, seededRandom(seed));
    assert.deepEqual(draw(1234), draw(1234));
    assert.notDeepEqual(draw(1234), draw(1235));
  });

  it('keeps drawing the numbers saved runs were trained with (mulberry32)', () => {
    const random = seededRandom(1234);
    assert.deepEqual(Array.from({ length: 3 }, random), [0.07329497812315822, 0.7034119898453355, 0.9028560190927237]);
  });

  it('draws in [0, 1), evenly', () => {
    const values = Array.from({ length: 10_000 }, seededRandom(7));
    assert.ok(values.every((value) => value >= 0 && value < 1));
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  });
});
