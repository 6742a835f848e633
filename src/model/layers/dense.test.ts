import test from 'node:test';
import { assertLayerGradients } from '../../testing/assert-grads.js';

test('dense: gradients of x, W and b match finite differences', () => assertLayerGradients({ type: 'dense', units: 7 }, [5], 4, ['W', 'b']));
