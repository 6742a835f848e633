import test from 'node:test';
import { assertLayerGradients } from '../../testing/assert-grads.js';

test('relu: gradient matches finite differences', () => assertLayerGradients({ type: 'relu' }, [3, 4, 4], 2, []));
