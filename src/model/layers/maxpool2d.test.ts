import test from 'node:test';
import { assertLayerGradients } from '../../testing/assert-grads.js';

test('maxpool2d 2×2: gradient matches finite differences (batch > 1, channels > 1)', () =>
  assertLayerGradients({ type: 'maxpool2d', size: 2 }, [3, 6, 6], 3, []));

test('maxpool2d 3×3 stride 2 (overlapping windows): gradient matches', () =>
  assertLayerGradients({ type: 'maxpool2d', size: 3, stride: 2 }, [2, 7, 7], 2, []));
