/** Test doubles for @berth/network users: the recording HostNet fake. @packageDocumentation */
export { RecordingHostNet } from './recording-host-net.js';
export type { HostNetCall, FakeLink, FakeRoute } from './recording-host-net.js';
