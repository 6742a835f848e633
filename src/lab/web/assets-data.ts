/** The in-page MNIST run's data: the first images of each MNIST file, as `encodeMnist` lays them out (served as data/mnist-*.bin). */
export const MNIST_PAGE_DATA = { train: 2000, test: 500 } as const;
