import { createMemoryContentStore } from '@berth/image';
import { describeContentStore } from '@berth/image/conformance';

describeContentStore('memory', async () => ({ store: createMemoryContentStore() }));
