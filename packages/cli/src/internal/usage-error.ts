import { InvalidArgumentError } from '@berth/errdefs';

/**
 * A command line the CLI cannot accept (unknown flag, missing value, wrong argument count).
 * docker answers these with the message, `See 'docker CMD --help'.` and exit status 125.
 */
export class UsageError extends InvalidArgumentError {
  constructor(
    message: string,
    /** The command path for the hint (`run`, `network create`). */
    readonly commandPath: string,
    /** Print the command's usage line after the hint (docker does for argument counts). */
    readonly showUsage = false,
  ) {
    super(message, { details: { commandPath } });
  }
}
