import { describeEngine } from '@berth/engine/conformance';
import { createMemoryEngine } from '@berth/engine';

describeEngine('memory engine', () => createMemoryEngine());
