import assert from 'node:assert/strict';
import test from 'node:test';
import { PruneBars } from './prune.js';

test('a trial\'s prune bar is the fastest time of the other rates at its batch size, never its own rate\'s other seeds', () => {
  const bars = new PruneBars();
  assert.equal(bars.bar(64, 0.007), undefined, 'nothing finished: no bar');
  bars.note(64, 0.007, 150.3);
  assert.equal(bars.bar(64, 0.007), undefined, 'its own rate at another seed does not prune it');
  assert.equal(bars.bar(64, 0.014), 150.3, 'another rate at the same batch is pruned by it');
  assert.equal(bars.bar(32, 0.005), undefined, 'another batch size has its own bars');
  bars.note(64, 0.014, 200);
  bars.note(64, 0.014, 120);
  bars.note(64, 0.0035, null);
  assert.deepEqual([bars.bar(64, 0.007), bars.bar(64, 0.014), bars.bar(64, 0.0035)], [120, 150.3, 120], 'the fastest seed of each other rate; a trial that did not reach sets none');
  bars.note('auto', 0.005, 90);
  assert.deepEqual([bars.bar('auto', 0.0035), bars.bar(64, 0.007)], [90, 120], 'auto trials are apart');
});
