import { createLocalVolumeDriver, createMemoryVolumeDriver } from '@berth/volume';
import { describeVolumeDriver } from '@berth/volume/conformance';

describeVolumeDriver('local', ({ root }) => createLocalVolumeDriver({ root }), { persistent: true });
describeVolumeDriver('memory', ({ root }) => createMemoryVolumeDriver({ root }), { persistent: false });
describeVolumeDriver('memory (own temporary root)', () => createMemoryVolumeDriver(), { persistent: false });
