import test from 'node:test';
import { assertLayerGradients } from '../../testing/assert-grads.js';

test('flatten: gradient matches finite differences', () => assertLayerGradients({ type: 'flatten' }, [2, 3, 4], 3, []));
