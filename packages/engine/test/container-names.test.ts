import { describe, expect, it } from 'vitest';
import { generateContainerName, validateContainerName } from '../src/containers/container-names.js';

describe('container names', () => {
  it('accepts docker names with or without the leading slash, and refuses others with docker\'s message', () => {
    expect(validateContainerName('/web-1')).toBe('web-1');
    expect(validateContainerName('a.b_c-d')).toBe('a.b_c-d');
    for (const bad of ['x', '-lead', 'has space', 'slash/inside', '../up', '']) {
      expect(() => validateContainerName(bad)).toThrow(/Invalid container name/);
    }
  });

  it('generates adjective_surname names that avoid taken ones', () => {
    const taken = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const name = generateContainerName((n) => taken.has(n));
      expect(name).toMatch(/^[a-z]+_[a-z]+\d?$/);
      expect(taken.has(name)).toBe(false);
      expect(validateContainerName(name)).toBe(name);
      taken.add(name);
    }
  });
});
