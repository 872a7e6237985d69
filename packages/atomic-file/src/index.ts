/**
 * Crash-safe replacement of small files (metadata, state, indexes): a reader or a machine
 * that crashes sees the old content or the new one, never a mix.
 *
 * @packageDocumentation
 */
export { writeFileAtomic, syncDirectory, removeStaleTempFiles, ATOMIC_TEMP_SUFFIX } from './write-file-atomic.js';
export type { WriteFileAtomicOptions } from './write-file-atomic.js';
