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

// --- concurrency (limit-concurrency.ts) ---
export { limitConcurrency } from './limit-concurrency.js';
export type { ConcurrencyLimiter } from './limit-concurrency.js';

// --- content store (content/) ---
export { createFsContentStore } from './content/fs-content-store.js';
export type { FsContentStoreOptions } from './content/fs-content-store.js';
export { createMemoryContentStore } from './content/memory-content-store.js';

// --- image store (store/) ---
export type { ImageStore, ImageRecord, ImageRecordInput, ImageRecordChanges } from './store/image-store.js';
export { createMemoryImageStore } from './store/memory-image-store.js';
export { createFsImageStore } from './store/fs-image-store.js';
export type { FsImageStoreOptions } from './store/fs-image-store.js';
export { storeImage, storeIndex, storeImageOrIndex, contentBlobSource } from './store/store-image.js';
export { writeImageToStore } from './store/write-image-to-store.js';
export type { ImageSinkContent, BlobWriteEvent, WriteImageOptions } from './store/write-image-to-store.js';
export { createImageService } from './store/image-service.js';
export { IMAGE_PARENT_LABEL } from './store/image-service-types.js';
export type {
  ImageService,
  ImageServiceOptions,
  ImageUser,
  ResolvedImage,
  PutImageOptions,
  ImageSummary,
  ImageListOptions,
  ImageInspectInfo,
  ImageHistoryEntry,
  ImageDeleteEntry,
  ImageRemoveOptions,
} from './store/image-service-types.js';
export { collectGarbage } from './store/collect-garbage.js';
export type { CollectGarbageOptions, GarbageCollection } from './store/collect-garbage.js';

// --- layer apply and diff (layer/) ---
export { applyLayer } from './layer/apply.js';
export type { ApplyLayerOptions, AppliedLayer } from './layer/apply.js';
export { diffDirectories, tarDirectory } from './layer/diff-directories.js';
export type { DiffOptions } from './layer/diff-directories.js';
export { diffOverlayUpper } from './layer/diff-overlay-upper.js';
export { changes } from './layer/changes.js';
export type { FileChange, ChangeKind } from './layer/changes.js';

// --- snapshotters (snapshot/) ---
export { createOverlaySnapshotter } from './snapshot/overlay-snapshotter.js';
export type { OverlaySnapshotterOptions } from './snapshot/overlay-snapshotter.js';
export { createCopySnapshotter } from './snapshot/copy-snapshotter.js';
export type { CopySnapshotterOptions } from './snapshot/copy-snapshotter.js';
export { mountAll, unmountAll, withMounts, mountsToDirectory } from './snapshot/mount.js';
export { chainIds } from './snapshot/chain-id.js';
export { unpackImage } from './snapshot/unpack-image.js';
export type { UnpackOptions, UnpackProgress, UnpackResult } from './snapshot/unpack-image.js';

// --- sources and sinks (archive/, layout/) ---
export { readDockerArchive } from './archive/read-docker-archive.js';
export { writeDockerArchive } from './archive/write-docker-archive.js';
export type { WriteDockerArchiveOptions } from './archive/write-docker-archive.js';
export type { ArchiveImage } from './archive/archive-image.js';
export { importRootfs } from './archive/import-rootfs.js';
export type { ImportRootfsOptions, ImportedImage } from './archive/import-rootfs.js';
export { exportSnapshot } from './archive/export-snapshot.js';
export type { ExportSnapshotOptions } from './archive/export-snapshot.js';
export { indexTar } from './archive/tar-index.js';
export type { TarIndex, TarEntry } from './archive/tar-index.js';
export { readOciLayout } from './layout/read-oci-layout.js';
export type { OciLayout } from './layout/read-oci-layout.js';
export { writeOciLayout } from './layout/write-oci-layout.js';
export type { OciLayoutEntry, WriteOciLayoutOptions } from './layout/write-oci-layout.js';
export { ociLayoutBlobSource } from './layout/layout-blob-source.js';

// --- mutate (mutate/) ---
export { mutate } from './mutate/mutate.js';
export { layerFromTar } from './mutate/layer-from-tar.js';
export type { TarSource, LayerFromTarOptions } from './mutate/layer-from-tar.js';
export type { LayerAddendum } from './mutate/append-layers.js';
export type { IndexAddendum } from './mutate/append-manifests.js';
export type { EmptyImageOptions } from './mutate/empty.js';
