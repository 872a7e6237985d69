/**
 * Test doubles and fixtures for users of @berth/image: deterministic random images,
 * the empty image, and busybox images built from the host's static busybox (no image
 * comes from the internet). Every fixture has fixed timestamps, so digests are stable
 * across runs.
 *
 * @packageDocumentation
 */
export { randomImage, randomLayer, emptyImage } from './random-image.js';
export type { RandomImageOptions, RandomLayerOptions } from './random-image.js';
export {
  busyboxImage,
  multiLayerImage,
  multiPlatformIndex,
  multiLayerExpectations,
  fixturePlatforms,
  fixturePath,
  defaultBusyboxPath,
} from './busybox-image.js';
export type { BusyboxImageOptions } from './busybox-image.js';
export { tarOf, layerFromEntries, fixtureMtime } from './fixture-tar.js';
export type { FixtureEntry, FixtureContent } from './fixture-tar.js';
