/**
 * The lab's experiment pages beyond the first: what each shows, and which module runs it. The
 * leads say what to look for; each verdict is computed in the page from what it measured.
 */
import { ACCURACY_PAGE, accuracyExperiment } from './accuracy-page.js';
import { DIRECTION_PAGE, directionExperiment } from './direction-page.js';
import { ESCAPE_PAGE, escapeExperiment } from './escape-page.js';
import type { ExperimentPageSpec } from './experiment-html.js';
import { RPROP_PAGE, rpropExperiment } from './rprop-page.js';

export const EXPERIMENT_PAGES: readonly ExperimentPageSpec[] = [
  {
    file: 'rprop.html',
    module: 'lab/web/rprop-page.js',
    exportName: 'rpropExperiment',
    controls: rpropExperiment.controls,
    title: 'Rprop on the full batch and on mini-batches (claims C3, C4)',
    lead: `iRprop− steps each weight by its own step size, using only the sign of the gradient. On the full batch (C3) the sign is the true one and the steps grow; on a mini-batch the sign is a sample,
it flips from batch to batch where the signal is weak, and the steps shrink (C4). RMSProp divides by a running RMS instead, so batch gradients still average out.
All four runs see the same examples at <code>batchwise lab rprop</code>'s rates: a 784-32-10 MLP on the first ${RPROP_PAGE.mnistTrain} MNIST images from the seed's weights, or the zig-zag's linear neuron (${RPROP_PAGE.examples} examples) from its start,
whose loss is shown above its minimum, L − L*; there the noise is symmetric on two weights and the batch's sign is right often enough that mini-batch Rprop need not fail, as the lab also finds.
The step-sign flips are the fraction of weights whose step reverses between updates (over the first ${RPROP_PAGE.flipSample} updates of each epoch).`,
  },
  {
    file: 'direction.html',
    module: 'lab/web/direction-page.js',
    exportName: 'directionExperiment',
    controls: directionExperiment.controls,
    title: 'How well a mini-batch gradient points (claims C6c, C7c)',
    lead: `On the first ${DIRECTION_PAGE.examples} MNIST training images, the cosine between the gradient of B examples (drawn with replacement) and the gradient of all of them, for B = ${DIRECTION_PAGE.batchSizes.join(', ')},
at initialisation and after some epochs of SGD (B = ${DIRECTION_PAGE.trainBatch}, rate ${DIRECTION_PAGE.trainLr}) of the 784-32-10 MLP. The dashed curves are 1/√(1 + B_noise/B), with B_noise measured separately by batchwise's noise-scale estimator
(B_small = ${DIRECTION_PAGE.noise.bSmall}, B_big = ${DIRECTION_PAGE.noise.bSmall * DIRECTION_PAGE.noise.k}): a larger batch points better (C6c) until B passes B_noise, where it stops paying (C7c). The full lab version is <code>batchwise lab direction</code>.`,
  },
  {
    file: 'escape.html',
    module: 'lab/web/escape-page.js',
    exportName: 'escapeExperiment',
    controls: escapeExperiment.controls,
    title: 'Escaping a poor basin with mini-batch noise (claim C2)',
    lead: `One ReLU neuron f(x) = relu(w·x) with squared error on ${ESCAPE_PAGE.examples} examples, the problem of <code>batchwise lab escape</code>: the loss has a shallow poor basin around the start and a better one beyond a ridge at w = 0.
SGD starts in the poor basin at every B = ${ESCAPE_PAGE.batchSizes.join(', ')} (the last is the full batch); the seed draws only the order of the examples. A mini-batch's gradient is the mean over its own examples, so the noise that can carry w over the ridge is the data's own disagreement, nothing added.
The plot counts the runs that end beyond the ridge.`,
  },
  {
    file: 'accuracy.html',
    module: 'lab/web/accuracy-page.js',
    exportName: 'accuracyExperiment',
    controls: accuracyExperiment.controls,
    title: 'Accuracy against batch size at a fixed budget of epochs (claim C9)',
    lead: `The 784-32-10 MLP trained by SGD on the first ${ACCURACY_PAGE.train} MNIST training images for the same number of epochs at B = ${ACCURACY_PAGE.batchSizes.join(', ')}, the rate by the square-root rule, over a few seeds, tested on held-out images.
The verdict names the accuracy-optimal B and says whether its lead is larger than the seed-to-seed noise (two standard errors), as <code>batchwise lab accuracy</code> does on a larger subset.`,
  },
];
