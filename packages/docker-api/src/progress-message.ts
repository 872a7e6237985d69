import { z } from 'zod';
import { goInteger } from './go-json-types.js';

/** docker's `jsonmessage.JSONProgress`: how far one layer or step is. */
export const ProgressDetailMessageSchema = z.looseObject({
  current: goInteger().nullish(),
  total: goInteger().nullish(),
  /** Unix seconds when the transfer started. */
  start: goInteger().nullish(),
  /** Show a bar without byte counts (e.g. a step counter). */
  hidecounts: z.boolean().nullish(),
  /** Unit of `current`/`total` when not bytes. */
  units: z.string().nullish(),
});
/** Progress of one item, as {@link ProgressDetailMessageSchema} parses it. */
export type ProgressDetailMessage = z.infer<typeof ProgressDetailMessageSchema>;

/** docker's `jsonmessage.JSONError`. */
export const ErrorDetailMessageSchema = z.looseObject({
  code: goInteger().nullish(),
  message: z.string().nullish(),
});
/** A structured error in a progress stream, as {@link ErrorDetailMessageSchema} parses it. */
export type ErrorDetailMessage = z.infer<typeof ErrorDetailMessageSchema>;

/**
 * One message of a progress stream (`POST /images/create`, push, load, build, import): docker's
 * `jsonmessage.JSONMessage`. A stream reports failure with a message carrying `error` and
 * `errorDetail` (the HTTP status was already 200); `aux` carries results such as the pushed
 * digest or a built image ID; `stream` carries build output.
 */
export const ProgressMessageSchema = z.looseObject({
  status: z.string().nullish(),
  /** The layer, image or step the message is about. */
  id: z.string().nullish(),
  /** Deprecated rendered bar (`[==>   ] 1.2MB/3MB`); still sent by dockerd. */
  progress: z.string().nullish(),
  progressDetail: ProgressDetailMessageSchema.nullish(),
  stream: z.string().nullish(),
  from: z.string().nullish(),
  time: goInteger().nullish(),
  timeNano: goInteger().nullish(),
  /** Deprecated plain error text; dockerd sends it with `errorDetail`. */
  error: z.string().nullish(),
  errorDetail: ErrorDetailMessageSchema.nullish(),
  aux: z.unknown().optional(),
});
/** One progress message, as {@link ProgressMessageSchema} parses it. */
export type ProgressMessage = z.infer<typeof ProgressMessageSchema>;

/**
 * The message that ends a progress stream with an error, as dockerd writes it: the same text in
 * `errorDetail.message` and the deprecated `error`.
 */
export function progressErrorMessage(message: string): ProgressMessage {
  return { errorDetail: { message }, error: message };
}
