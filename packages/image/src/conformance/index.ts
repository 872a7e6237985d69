/** Conformance suites every implementation of a @berth/image seam runs. @packageDocumentation */
export {};
export { describeSnapshotter } from './snapshotter-suite.js';
export type { SnapshotterCapabilities, SnapshotterFactory } from './snapshotter-suite.js';
export { describeContentStore } from './content-store-suite.js';
export type { ContentStoreFixture } from './content-store-suite.js';
export { describeImageStore } from './image-store-suite.js';
export type { ImageStoreFixture } from './image-store-suite.js';
