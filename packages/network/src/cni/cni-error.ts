import {
  type BerthError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from '@berth/errdefs';
import type { CniErrorReport } from './cni-result.js';

/** The well-known error codes of the CNI 1.0 specification. */
export const CNI_ERROR_CODES = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnvironment: 4,
  ioFailure: 5,
  decodingFailure: 6,
  invalidNetworkConfig: 7,
  tryAgainLater: 11,
} as const;

/**
 * The `@berth/errdefs` error for a plugin's error report: the plugin's own message (and
 * details) in the text, the CNI code in `details`. Spec codes map to their meaning (a bad
 * configuration is `InvalidArgument`, "try again later" `Unavailable`…); plugin-specific codes
 * (100+, and the generic 999) are `Internal`.
 */
export function cniReportToError(what: string, report: CniErrorReport): BerthError {
  const message = `${what}: ${report.msg}${report.details ? ` (${report.details})` : ''}`;
  const options = { details: { cniCode: report.code, cniMessage: report.msg, ...(report.details ? { cniDetails: report.details } : {}) } };
  switch (report.code) {
    case CNI_ERROR_CODES.incompatibleVersion:
      return new FailedPreconditionError(message, options);
    case CNI_ERROR_CODES.unknownContainer:
      return new NotFoundError(message, options);
    case CNI_ERROR_CODES.unsupportedField:
    case CNI_ERROR_CODES.invalidEnvironment:
    case CNI_ERROR_CODES.decodingFailure:
    case CNI_ERROR_CODES.invalidNetworkConfig:
      return new InvalidArgumentError(message, options);
    case CNI_ERROR_CODES.tryAgainLater:
      return new UnavailableError(message, options);
    default:
      return new InternalError(message, options);
  }
}
