import { randomBytes } from 'node:crypto';
import { linkSync, rmSync } from 'node:fs';
import { InvalidArgumentError } from '@berth/errdefs';
import { runProgram } from '@berth/program';

/**
 * Creates overlayfs whiteouts (char device 0:0) without a process per whiteout: one
 * `mknod` makes a template device inside the root, and every whiteout is a hard link to
 * it (overlayfs only checks the type and device number; the kernel shares whiteout
 * inodes the same way). Lifecycle: `create` for each whiteout, `dispose` at the end of
 * the layer, which removes the template.
 */
export class WhiteoutDevices {
  private template: string | undefined;

  /** @param root absolute path of the directory the template lives in (the layer's root). */
  constructor(
    private readonly root: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Makes a whiteout at absolute `path`, which must not exist; synchronous once the template exists. */
  create(path: string): void | Promise<void> {
    if (this.template === undefined) {
      return this.makeTemplate().then((template) => {
        this.template = template;
        return this.create(path);
      });
    }
    try {
      linkSync(this.template, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EMLINK') throw err;
      // The template ran out of links: start another.
      this.dispose();
      return this.create(path);
    }
  }

  /** Removes the template. */
  dispose(): void {
    if (this.template === undefined) return;
    rmSync(this.template, { force: true });
    this.template = undefined;
  }

  private async makeTemplate(): Promise<string> {
    const path = `${this.root}/.berth-whiteout-${process.pid}-${randomBytes(6).toString('hex')}`;
    const result = await runProgram('mknod', ['-m', '000', path, 'c', '0', '0'], { signal: this.signal, packageName: 'coreutils' });
    if (result.code !== 0) throw new InvalidArgumentError(`cannot create an overlay whiteout device: ${result.stderr.trim()}`);
    return path;
  }
}
