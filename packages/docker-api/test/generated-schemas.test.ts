import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '@berth/docker-api';
import type { z } from 'zod';
import { generate, indexPath, outputPath, parseSpec, specPath, spliceIndex } from '../scripts/generate-schemas.ts';

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  items?: Schema;
  example?: unknown;
}
interface Operation {
  parameters?: { in: string; schema?: Schema }[];
  responses?: Record<string, { schema?: Schema; examples?: Record<string, unknown> }>;
}
const yamlText = readFileSync(specPath, 'utf8');
const document = parseSpec(yamlText) as { definitions: Record<string, Schema>; paths: Record<string, Record<string, Operation>> };

function schemaNamed(name: string): z.ZodType {
  const schema = (api as unknown as Record<string, unknown>)[`${name}Schema`];
  if (schema === undefined) throw new Error(`@berth/docker-api does not export ${name}Schema`);
  return schema as z.ZodType;
}

/** An example object built from the per-property `example`s of the document, recursively. */
function synthesize(schema: Schema, depth = 0): unknown {
  if (schema.example !== undefined) return schema.example;
  if (depth > 12) return undefined;
  if (schema.$ref !== undefined) return synthesize(document.definitions[schema.$ref.split('/').pop()!]!, depth + 1);
  if (schema.allOf?.length === 1) return synthesize(schema.allOf[0]!, depth + 1);
  if (schema.allOf !== undefined) {
    return Object.assign({}, ...schema.allOf.map((part) => synthesize(part, depth + 1) ?? {}));
  }
  if (schema.properties !== undefined) {
    const entries = Object.entries(schema.properties)
      .map(([key, property]) => [key, synthesize(property, depth + 1)] as const)
      .filter(([, value]) => value !== undefined);
    return Object.fromEntries(entries);
  }
  if (schema.items !== undefined) {
    const item = synthesize(schema.items, depth + 1);
    return item === undefined ? undefined : [item];
  }
  return undefined;
}

/**
 * Examples the document gets wrong (dockerd sends what the declared type says): integers
 * written as strings, an array example attached to the item type.
 */
const documentExampleErrors = [
  'ImageSummary.Created',
  'SystemInfo.DefaultAddressPools.0.Size',
  'SystemInfo.Swarm.Cluster.DefaultAddrPool.0',
  'NetworkSettings.LinkLocalIPv6PrefixLen',
];

describe('generated schemas', () => {
  it('are up to date with the generator and the API document', () => {
    const { schemas, indexBlock } = generate(yamlText);
    expect(readFileSync(outputPath, 'utf8')).toBe(schemas);
    const index = readFileSync(indexPath, 'utf8');
    expect(spliceIndex(index, indexBlock)).toBe(index);
  });

  const definitions = [
    'ContainerConfig', 'HostConfig', 'NetworkingConfig', 'ContainerSummary', 'ImageSummary', 'ImageInspect',
    'ImageHistoryResponseItem', 'Network', 'Volume', 'VolumeListResponse', 'EventMessage', 'SystemInfo',
    'SystemVersion', 'DistributionInspect', 'ContainerState', 'NetworkSettings', 'Mount', 'EndpointSettings',
  ];
  it.each(definitions)('accept the document examples of %s', (name) => {
    const example = synthesize(document.definitions[name]!);
    expect(example).toBeTypeOf('object');
    // Property examples do not cover every required field: only a present value may be wrong.
    const result = schemaNamed(name).safeParse(example, { reportInput: true });
    const wrongValues = (result.error?.issues ?? [])
      .filter((issue) => issue.input !== undefined)
      .map((issue) => issue.path.join('.'))
      .filter((path) => !documentExampleErrors.includes(`${name}.${path}`));
    expect(wrongValues).toEqual([]);
  });

  const responseExamples: [string, string, string, string, boolean][] = [
    ['get', '/containers/json', '200', 'ContainerSummary', true],
    ['get', '/containers/{id}/json', '200', 'ContainerInspectResponse', false],
    ['get', '/containers/{id}/top', '200', 'ContainerTopResponse', false],
    ['get', '/containers/{id}/changes', '200', 'FilesystemChange', true],
    ['get', '/containers/{id}/stats', '200', 'ContainerStatsResponse', false],
    ['get', '/images/{name}/history', '200', 'ImageHistoryResponseItem', true],
    ['delete', '/images/{name}', '200', 'ImageDeleteResponseItem', true],
    ['get', '/images/search', '200', 'ImageSearchResponseItem', true],
    ['post', '/auth', '200', 'SystemAuthResponse', false],
    ['get', '/exec/{id}/json', '200', 'ExecInspectResponse', false],
    ['get', '/networks', '200', 'Network', true],
    ['post', '/containers/create', '404', 'ErrorResponse', false],
  ];
  it.each(responseExamples)('accept the response example of %s %s (%s)', (method, path, code, name, isArray) => {
    const example = document.paths[path]![method]!.responses![code]!.examples!['application/json'];
    const schema = schemaNamed(name);
    const items = isArray ? (example as unknown[]) : [example];
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(schema.safeParse(item).error).toBeUndefined();
  });

  const bodyExamples: [string, string, string][] = [
    ['post', '/containers/create', 'ContainerCreateRequest'],
    ['post', '/containers/{id}/update', 'ContainerUpdateRequest'],
    ['post', '/containers/{id}/exec', 'ExecCreateRequest'],
    ['post', '/exec/{id}/start', 'ExecStartRequest'],
    ['post', '/networks/{id}/connect', 'NetworkConnectRequest'],
  ];
  it.each(bodyExamples)('accept the request example of %s %s', (method, path, name) => {
    const body = document.paths[path]![method]!.parameters!.find((parameter) => parameter.in === 'body')!.schema!;
    expect(schemaNamed(name).safeParse(body.example).error).toBeUndefined();
  });
});

describe('wire rules of the generated schemas', () => {
  it('keep unknown fields, as dockerd ignores them', () => {
    const parsed = api.ContainerCreateRequestSchema.parse({ Image: 'busybox', FutureField: { a: 1 }, HostConfig: { Foo: true } });
    expect(parsed).toMatchObject({ Image: 'busybox', FutureField: { a: 1 }, HostConfig: { Foo: true } });
  });

  it('accept null wherever Go writes nil slices, maps and pointers', () => {
    const parsed = api.ContainerCreateRequestSchema.parse({ Image: 'busybox', Env: null, Labels: null, HostConfig: null, Cmd: null });
    expect(parsed.Env).toBeNull();
    expect(parsed.HostConfig).toBeNull();
  });

  it('reject type mismatches that Go decoding rejects', () => {
    expect(api.ContainerCreateRequestSchema.safeParse({ Image: 42 }).success).toBe(false);
    expect(api.ContainerCreateRequestSchema.safeParse({ Image: 'x', HostConfig: { Memory: '1g' } }).success).toBe(false);
    expect(api.ContainerCreateRequestSchema.safeParse({ Image: 'x', HostConfig: { Memory: 1.5 } }).success).toBe(false);
    expect(api.ContainerCreateRequestSchema.safeParse({ Image: 'x', Tty: 'true' }).success).toBe(false);
    expect(api.ContainerCreateRequestSchema.safeParse({ Image: 'x', Env: 'A=b' }).success).toBe(false);
  });

  it('accept Cmd, Entrypoint and Shell as a string or an array (strslice)', () => {
    expect(api.ContainerConfigSchema.parse({ Cmd: 'echo hi', Entrypoint: '', Shell: ['/bin/sh', '-c'] })).toMatchObject({
      Cmd: 'echo hi',
      Entrypoint: '',
      Shell: ['/bin/sh', '-c'],
    });
  });

  it('accept integers beyond 2^53, which JSON.parse reads from int64 and uint64 fields', () => {
    const event = JSON.parse('{"Type":"container","Action":"start","time":1700000000,"timeNano":1700000000123456789}');
    expect(api.EventMessageSchema.parse(event).timeNano).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    expect(api.goInteger().safeParse(2.5).success).toBe(false);
  });

  it('keep allOf compositions loose (HostConfig = Resources + host fields)', () => {
    const parsed = api.HostConfigSchema.parse({ Memory: 1024, NetworkMode: 'bridge', Unknown: 1 });
    expect(parsed).toEqual({ Memory: 1024, NetworkMode: 'bridge', Unknown: 1 });
  });

  it('require nothing in request bodies: dockerd reports missing fields itself', () => {
    expect(api.NetworkCreateRequestSchema.safeParse({ Driver: 'bridge' }).success).toBe(true);
    expect(api.NetworkCreateRequestSchema.safeParse({ Name: 5 }).success).toBe(false);
  });

  it('accept any JSON in a volume driver status (Go map[string]interface{})', () => {
    expect(api.VolumeSchema.shape.Status.parse({ size: 1, ok: true, note: 'x' })).toEqual({ size: 1, ok: true, note: 'x' });
  });

  it('require what the document requires in responses', () => {
    expect(api.ContainerCreateResponseSchema.safeParse({ Warnings: [] }).success).toBe(false);
    expect(api.ContainerCreateResponseSchema.safeParse({ Id: 'abc', Warnings: [] }).success).toBe(true);
    expect(api.ErrorResponseSchema.safeParse({}).success).toBe(false);
  });
});
