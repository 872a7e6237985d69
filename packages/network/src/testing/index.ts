/** Test doubles for @berth/network users: the recording HostNet and CNI plugins fakes. @packageDocumentation */
export { RecordingHostNet } from './recording-host-net.js';
export type { HostNetCall, FakeLink, FakeRoute, FakeLocalRoute } from './recording-host-net.js';
export { RecordingCniPlugins } from './recording-cni-plugins.js';
export type { CniInvocation, FakeCniAttachment } from './recording-cni-plugins.js';
