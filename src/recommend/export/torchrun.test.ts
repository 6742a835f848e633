import assert from 'node:assert/strict';
import test from 'node:test';
import { MOMENTUM_PLAN } from '../../testing/export-fixtures.js';
import { resolvePlan } from './plan.js';
import { torchrunCommand, torchrunNote } from './torchrun.js';

test('torchrun: one node standalone, several nodes with a c10d rendezvous; none for one process', () => {
  assert.equal(torchrunCommand(4, 'main.py'), 'torchrun --standalone --nnodes=1 --nproc_per_node=4 main.py');
  assert.equal(
    torchrunNote(resolvePlan({ ...MOMENTUM_PLAN, microBatch: 16, worldSize: 8 }), 'train.py'),
    'launch the 8 processes on one node with: torchrun --standalone --nnodes=1 --nproc_per_node=8 train.py; ' +
      'across M nodes of K processes each (M × K = 8), run on every node: torchrun --nnodes=M --nproc_per_node=K --rdzv_id=JOB --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 train.py',
  );
  assert.equal(torchrunNote(resolvePlan(MOMENTUM_PLAN), 'train.py'), null);
});
