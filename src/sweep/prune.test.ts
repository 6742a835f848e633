import assert from 'node:assert/strict';
import test from 'node:test';
import { PruneBars } from './prune.js';

test('a trial\'s prune bar is the other rates\' median time at its batch size, never its own rate\'s other seeds', () => {
  const bars = new PruneBars();
  assert.equal(bars.bar(64, 0.007), undefined, 'nothing finished: no bar');
  bars.note(64, 0.007, 150.3);
  assert.equal(bars.bar(64, 0.007), undefined, 'its own rate at another seed does not prune it');
  assert.equal(bars.bar(64, 0.014), 150.3, 'another rate at the same batch is pruned by it (one seed: its time)');
  assert.equal(bars.bar(32, 0.005), undefined, 'another batch size has its own bars');
  bars.note(64, 0.007, 596.4);
  bars.note(64, 0.007, 295.8);
  assert.equal(bars.bar(64, 0.014), 295.8, 'three seeds: their median, not the lucky 150.3');
  bars.note(64, 0.014, 200);
  bars.note(64, 0.014, null);
  assert.equal(bars.bar(64, 0.007), undefined, 'reached at one seed of two: the median is never, so no bar');
  bars.note(64, 0.014, 120);
  assert.deepEqual([bars.bar(64, 0.007), bars.bar(64, 0.014), bars.bar(64, 0.0035)], [200, 295.8, 200], 'the smallest median of the other rates; a seed that did not reach counts as never');
  bars.note(64, 0.0035, null);
  assert.equal(bars.bar(64, 0.007), 200, 'a rate that never reached sets no bar');
  bars.note('auto', 0.005, 90);
  assert.deepEqual([bars.bar('auto', 0.0035), bars.bar(64, 0.007)], [90, 200], 'auto trials are apart');
});
