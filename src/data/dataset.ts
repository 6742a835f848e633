/**
 * In-memory labelled examples. `x` holds `count` examples of `featureShape` (row-major, float32);
 * `y` holds their class indices in [0, numClasses).
 */
export interface Examples {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
  /**
   * Regression targets, `count × outputs` row-major, for a model trained with squared error
   * (the lab's linear neuron); `y` is then all zeros and unused.
   */
  readonly targets?: Float32Array;
  /** Per-example shape, without the batch axis: [784] for flat MNIST, [1, 28, 28] for images. */
  readonly featureShape: readonly number[];
}

/** Affine normalisation applied to raw features: x' = (x - mean) / std, per feature or global. */
export interface Normalization {
  /** One value (global) or one per feature. */
  readonly mean: Float32Array;
  readonly std: Float32Array;
}

/** The three disjoint splits a run uses. The test split is read only for reporting. */
export interface DataSplits {
  readonly name: string;
  readonly numClasses: number;
  readonly featureShape: readonly number[];
  readonly train: Examples;
  readonly validation: Examples;
  readonly test: Examples;
  /** Already applied to all three splits; kept so the exported model can apply it to raw input. */
  readonly normalization: Normalization;
}
