import test from 'node:test';
import { assertLayerGradients } from './assert-grads.js';

test('flatten: gradient matches finite differences', () => assertLayerGradients({ type: 'flatten' }, [2, 3, 4], 3, []));
