import type { Image } from '../image.js';

/**
 * An image as an archive holds it: the image and the names it is saved under. What
 * `readDockerArchive` returns and `writeDockerArchive` takes.
 */
export interface ArchiveImage {
  image: Image;
  /**
   * Names as Docker shows them in `RepoTags` (`busybox:latest`, `localhost:5000/app:1`).
   * When writing, any reference form is accepted (`busybox`, `docker.io/library/busybox:1`);
   * a name without tag gets `latest`.
   */
  tags: string[];
}
