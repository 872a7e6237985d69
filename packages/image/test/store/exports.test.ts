import * as conformance from '@berth/image/conformance';
import * as image from '@berth/image';
import { describe, expect, it } from 'vitest';

describe('@berth/image store exports', () => {
  it('exports the image store, service, sink, source and GC', () => {
    for (const name of [
      'createMemoryImageStore',
      'createFsImageStore',
      'storeImage',
      'storeIndex',
      'storeImageOrIndex',
      'contentBlobSource',
      'writeImageToStore',
      'createImageService',
      'collectGarbage',
    ] as const) {
      expect(typeof image[name], name).toBe('function');
    }
    expect(image.IMAGE_PARENT_LABEL).toBe('io.berth.image.parent');
    expect(typeof conformance.describeImageStore).toBe('function');
  });
});
