import { InvalidArgumentError } from '@berth/errdefs';

/** Docker's rule for volume names; it also keeps names from escaping a driver's root. */
const volumeNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Whether `name` is a valid volume name (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`). */
export function isValidVolumeName(name: string): boolean {
  return volumeNamePattern.test(name);
}

/**
 * Throws Docker's `InvalidArgument` for an invalid volume name. A valid name has no `/`
 * and cannot be `.` or `..`, so joining it to a root never leaves that root.
 */
export function validateVolumeName(name: string): void {
  if (!isValidVolumeName(name)) {
    throw new InvalidArgumentError(
      `create ${name}: ${JSON.stringify(name)} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      { details: { name } },
    );
  }
}
