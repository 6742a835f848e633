import assert from 'node:assert/strict';
import test from 'node:test';
import { flatLength, PACK_BELOW, updateGroups } from './flat-state.js';

test('updateGroups: large tensors alone, the small ones in one group where the first of them is', () => {
  const mlp = [[784, 512], [512], [512, 512], [512], [512, 10], [10]];
  assert.deepEqual(updateGroups(mlp, true), [[0], [1, 3, 4, 5], [2]]);
  assert.deepEqual(updateGroups(mlp, false), [[0], [1], [2], [3], [4], [5]]);
  assert.deepEqual(updateGroups([[PACK_BELOW - 1], [PACK_BELOW]], true), [[0], [1]]);
  assert.deepEqual(updateGroups([[PACK_BELOW], [3], [4, 4]], true), [[0], [1, 2]]);
  assert.equal(flatLength(mlp), 784 * 512 + 512 + 512 * 512 + 512 + 5120 + 10);
});
