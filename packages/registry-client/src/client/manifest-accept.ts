import { MediaTypes } from '@berth/spec';

/** The manifest media types Berth understands, in the order it prefers them. */
export const manifestMediaTypes: readonly string[] = [
  MediaTypes.OciIndex,
  MediaTypes.DockerManifestList,
  MediaTypes.OciManifest,
  MediaTypes.DockerManifest,
];

/** `Accept` header for manifest requests. */
export const manifestAccept = manifestMediaTypes.join(', ');

/** The largest manifest accepted, as containerd (4 MiB): more is an attack, not an image. */
export const maxManifestBytes = 4 << 20;
