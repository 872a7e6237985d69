/**
 * Images on disk: lazy `Image`/`Layer`/`ImageIndex` interfaces and their sources and
 * sinks, the content store, the image store, layer apply and diff, and snapshotters.
 *
 * | medium | source (read) | sink (write) |
 * |---|---|---|
 * | content store | `storeImage` | `writeImageToStore` |
 * | docker archive tar | `readDockerArchive` | `writeDockerArchive` |
 * | OCI image layout | `readOciLayout` | `writeOciLayout` |
 * | rootfs tar | `importRootfs` | `exportSnapshot` |
 *
 * @packageDocumentation
 */

// Interfaces (owned by the lead).
export type { Image, Layer, ImageIndex, ImageOrIndex, OpenOptions, DescribedBlob } from './image.js';
export type { BlobSource } from './partial/compressed-image.js';
export {
  compressedImage,
  compressedLayer,
  compressedIndex,
  imageOrIndex,
  describeBytes,
  parseDocument,
} from './partial/compressed-image.js';
export { decompress, sniffCompression, withSignal } from './layer/decompress.js';
export type {
  ContentStore,
  ContentProvider,
  ContentIngester,
  ContentManager,
  BlobInfo,
  ExpectedBlob,
  IngestStatus,
  IngestWriter,
} from './content/content-store.js';
export type {
  Snapshotter,
  Mount,
  SnapshotInfo,
  SnapshotKind,
  SnapshotUsage,
  WhiteoutFormat,
} from './snapshot/snapshotter.js';

// --- content store (content/) ---

// --- image store (store/) ---

// --- layer apply and diff (layer/) ---

// --- snapshotters (snapshot/) ---

// --- sources and sinks (archive/, layout/) ---
