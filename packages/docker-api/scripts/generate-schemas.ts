/**
 * Generates zod schemas of the Docker Engine API bodies from the Swagger 2.0 document in
 * `reference/`. Run `npm run generate -w @berth/docker-api`; `test/generated-schemas.test.ts`
 * fails when the checked-in output is stale.
 *
 * Wire rules the output follows, chosen to match what dockerd's Go decoder accepts:
 * - objects are `z.looseObject`: dockerd ignores unknown fields, and so do we;
 * - every property not `required` is `.nullish()`: Go writes `null` for nil slices, maps and
 *   pointers, and decoding `null` into any field is a no-op; `required` binds responses only;
 * - types are strict (a string where a number belongs is rejected, as Go rejects it), integers
 *   must be integral but may exceed 2^53;
 * - enums stay `z.string()`: dockerd decodes any string and validates later, with its own
 *   messages; the allowed values are in the doc comment.
 */
/// <reference path="./js-yaml.d.ts" />
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

/** A Swagger 2.0 schema object, only the parts the generator reads. */
interface SwaggerSchema {
  type?: string;
  format?: string;
  $ref?: string;
  allOf?: SwaggerSchema[];
  properties?: Record<string, SwaggerSchema>;
  additionalProperties?: SwaggerSchema | boolean;
  items?: SwaggerSchema;
  required?: string[];
  enum?: unknown[];
  description?: string;
  title?: string;
  'x-nullable'?: boolean;
}

interface SwaggerParameter {
  in: string;
  schema?: SwaggerSchema;
}

interface SwaggerOperation {
  parameters?: SwaggerParameter[];
  responses?: Record<string, { schema?: SwaggerSchema }>;
}

interface SwaggerDocument {
  definitions: Record<string, SwaggerSchema>;
  paths: Record<string, Record<string, SwaggerOperation>>;
}

/** A schema declared inline in an operation, given a name here. */
interface InlineRoot {
  name: string;
  path: string;
  method: string;
  /** `body` for the request body, or a response status code. */
  where: string;
  /** Take the `items` of an array response. */
  items?: boolean;
}

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const specPath = join(packageDir, 'reference', 'docker-engine-api-v1.47.yaml');
export const outputPath = join(packageDir, 'src', 'generated', 'engine-api-schemas.ts');
export const indexPath = join(packageDir, 'src', 'index.ts');
export const indexBegin = '// --- generated wire schemas (scripts/generate-schemas.ts; do not edit by hand) ---';
export const indexEnd = '// --- end of generated wire schemas ---';

/** Definitions berthd serves; their dependencies are pulled in transitively. */
const definitionRoots = [
  'ContainerConfig',
  'HostConfig',
  'NetworkingConfig',
  'ContainerCreateResponse',
  'ContainerSummary',
  'ContainerWaitResponse',
  'FilesystemChange',
  'ImageSummary',
  'ImageInspect',
  'ImageHistoryResponseItem',
  'ImageDeleteResponseItem',
  'DistributionInspect',
  'Network',
  'NetworkCreateResponse',
  'Volume',
  'VolumeCreateOptions',
  'VolumeListResponse',
  'EventMessage',
  'SystemInfo',
  'SystemVersion',
  'AuthConfig',
  'ErrorResponse',
  'IdResponse',
  'CreateImageInfo',
  'PushImageInfo',
  'BuildInfo',
];

const inlineRoots: InlineRoot[] = [
  { name: 'ContainerCreateRequest', path: '/containers/create', method: 'post', where: 'body' },
  { name: 'ContainerInspectResponse', path: '/containers/{id}/json', method: 'get', where: '200' },
  { name: 'ContainerTopResponse', path: '/containers/{id}/top', method: 'get', where: '200' },
  { name: 'ContainerUpdateRequest', path: '/containers/{id}/update', method: 'post', where: 'body' },
  { name: 'ContainerUpdateResponse', path: '/containers/{id}/update', method: 'post', where: '200' },
  { name: 'ContainerPruneResponse', path: '/containers/prune', method: 'post', where: '200' },
  { name: 'ExecCreateRequest', path: '/containers/{id}/exec', method: 'post', where: 'body' },
  { name: 'ExecStartRequest', path: '/exec/{id}/start', method: 'post', where: 'body' },
  { name: 'ExecInspectResponse', path: '/exec/{id}/json', method: 'get', where: '200' },
  { name: 'ImageSearchResponseItem', path: '/images/search', method: 'get', where: '200', items: true },
  { name: 'ImagePruneResponse', path: '/images/prune', method: 'post', where: '200' },
  { name: 'NetworkCreateRequest', path: '/networks/create', method: 'post', where: 'body' },
  { name: 'NetworkConnectRequest', path: '/networks/{id}/connect', method: 'post', where: 'body' },
  { name: 'NetworkDisconnectRequest', path: '/networks/{id}/disconnect', method: 'post', where: 'body' },
  { name: 'NetworkPruneResponse', path: '/networks/prune', method: 'post', where: '200' },
  { name: 'VolumePruneResponse', path: '/volumes/prune', method: 'post', where: '200' },
  { name: 'SystemDataUsageResponse', path: '/system/df', method: 'get', where: '200' },
  { name: 'SystemAuthResponse', path: '/auth', method: 'post', where: '200' },
];

/**
 * Where the document and dockerd disagree, dockerd wins. Keys are `Definition.Property`.
 * `Cmd`/`Entrypoint`/`Shell` are `strslice.StrSlice` in Go: a string is accepted too.
 */
const propertyOverrides: Record<string, string> = {
  'ContainerConfig.Cmd': 'stringOrStringArray()',
  'ContainerConfig.Entrypoint': 'stringOrStringArray()',
  'ContainerConfig.Shell': 'stringOrStringArray()',
  // `map[string]interface{}` in Go: the driver's status values are any JSON, not objects.
  'Volume.Status': 'z.record(z.string(), z.unknown())',
};

/**
 * Fields dockerd sends or accepts that the document omits. Keys are definition names; values
 * are property name → zod expression (always optional).
 */
const propertyAdditions: Record<string, Record<string, string>> = {
  // registry.AuthConfig in Go: the document lists only four of its seven fields.
  AuthConfig: {
    auth: 'z.string()',
    identitytoken: 'z.string()',
    registrytoken: 'z.string()',
  },
  // Deprecated fields dockerd still sends with container events at v1.47; old clients read them.
  EventMessage: {
    status: 'z.string()',
    id: 'z.string()',
    from: 'z.string()',
  },
};

const refPrefix = '#/definitions/';

function refName(ref: string): string {
  if (!ref.startsWith(refPrefix)) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(refPrefix.length);
}

/** One doc comment line: the first sentence of the description, as short as we can keep it. */
function docLine(description: string | undefined): string | undefined {
  if (description === undefined) return undefined;
  const paragraphs = description.trim().split(/\n\s*\n/);
  let line = (paragraphs[0] ?? '').replace(/\s+/g, ' ').trim();
  // "…in the form:" is followed by the example that completes it.
  if (line.endsWith(':') && paragraphs[1] !== undefined) line += ` ${paragraphs[1].replace(/\s+/g, ' ').trim()}`;
  const sentenceEnd = line.search(/(?<!\b(?:e\.g|i\.e|etc))\.(\s|$)/);
  if (sentenceEnd > 0) line = line.slice(0, sentenceEnd + 1);
  if (line.length > 160) line = `${line.slice(0, 157).trimEnd()}…`;
  else if (!/[.!?)`…]$/.test(line)) line += '.';
  return line.replaceAll('*/', '* /');
}

function enumNote(schema: SwaggerSchema): string | undefined {
  if (schema.enum === undefined) return undefined;
  const values = schema.enum.filter((value) => typeof value !== 'object');
  if (values.length === 0) return undefined;
  return `One of: ${values.map((value) => JSON.stringify(value)).join(', ')}.`;
}

/** The doc comment of a property or definition, or an empty string. */
function docComment(schema: SwaggerSchema, indent: string): string {
  const lines = [docLine(schema.description), enumNote(schema)].filter((line) => line !== undefined && line !== '');
  if (lines.length === 0) return '';
  return `${indent}/** ${lines.join(' ')} */\n`;
}

function isPrimitive(schema: SwaggerSchema, document: SwaggerDocument): boolean {
  if (schema.$ref !== undefined) {
    const target = document.definitions[refName(schema.$ref)];
    return target !== undefined && isPrimitive(target, document);
  }
  if (schema.allOf?.length === 1 && schema.allOf[0] !== undefined) return isPrimitive(schema.allOf[0], document);
  return schema.type === 'string' || schema.type === 'integer' || schema.type === 'number' || schema.type === 'boolean';
}

class Generator {
  private readonly emitted = new Set<string>();
  private readonly inProgress = new Set<string>();
  private readonly blocks: string[] = [];
  private ignoreRequired = false;
  readonly names: string[] = [];

  constructor(private readonly document: SwaggerDocument) {}

  /** Emits a definition after everything it references. */
  emitDefinition(name: string): void {
    if (this.emitted.has(name)) return;
    if (this.inProgress.has(name)) throw new Error(`cyclic definition ${name}: not supported`);
    const schema = this.document.definitions[name];
    if (schema === undefined) throw new Error(`unknown definition ${name}`);
    this.inProgress.add(name);
    for (const dependency of this.references(schema)) this.emitDefinition(dependency);
    this.inProgress.delete(name);
    this.emitNamed(name, schema);
    this.emitted.add(name);
  }

  emitInline(root: InlineRoot): void {
    const operation = this.document.paths[root.path]?.[root.method];
    if (operation === undefined) throw new Error(`unknown operation ${root.method} ${root.path}`);
    let schema =
      root.where === 'body'
        ? operation.parameters?.find((parameter) => parameter.in === 'body')?.schema
        : operation.responses?.[root.where]?.schema;
    if (root.items === true) schema = schema?.items;
    if (schema === undefined) throw new Error(`no schema at ${root.method} ${root.path} ${root.where}`);
    for (const dependency of this.references(schema)) this.emitDefinition(dependency);
    // dockerd's decoder requires nothing in a request body; its own validation reports what is
    // missing, with its own messages. So `required` only binds responses.
    this.ignoreRequired = root.where === 'body';
    this.emitNamed(root.name, schema);
    this.ignoreRequired = false;
  }

  render(): string {
    return [
      '// Generated by scripts/generate-schemas.ts from reference/docker-engine-api-v1.47.yaml.',
      '// Do not edit by hand: change the generator and run `npm run generate -w @berth/docker-api`.',
      "import { z } from 'zod';",
      "import { goInteger, stringOrStringArray } from '../go-json-types.js';",
      '',
      ...this.blocks,
    ].join('\n');
  }

  private references(schema: SwaggerSchema): string[] {
    const found: string[] = [];
    const visit = (node: SwaggerSchema | boolean | undefined): void => {
      if (node === undefined || typeof node === 'boolean') return;
      if (node.$ref !== undefined) found.push(refName(node.$ref));
      node.allOf?.forEach(visit);
      Object.values(node.properties ?? {}).forEach(visit);
      visit(node.additionalProperties);
      visit(node.items);
    };
    visit(schema);
    return found;
  }

  private emitNamed(name: string, schema: SwaggerSchema): void {
    const doc = docComment(schema, '') || `/** Docker's \`${name}\`. */\n`;
    this.blocks.push(
      `${doc}export const ${name}Schema = ${this.expression(schema, '', name)};\n` +
        `/** Docker's \`${name}\`, as parsed by {@link ${name}Schema}. */\n` +
        `export type ${name} = z.infer<typeof ${name}Schema>;\n`,
    );
    this.names.push(name);
  }

  /** The zod expression of a schema; `owner` names the definition, for overrides. */
  private expression(schema: SwaggerSchema, indent: string, owner: string): string {
    if (schema.$ref !== undefined) return `${refName(schema.$ref)}Schema`;
    if (schema.allOf !== undefined) {
      const [first, ...rest] = schema.allOf;
      if (first === undefined) return 'z.unknown()';
      let result = this.expression(first, indent, owner);
      for (const part of rest) {
        result +=
          part.$ref !== undefined
            ? `.extend(${refName(part.$ref)}Schema.shape)`
            : `.extend(${this.shape(part, indent, owner)})`;
      }
      return result;
    }
    switch (schema.type) {
      case 'string':
        return 'z.string()';
      case 'integer':
        return 'goInteger()';
      case 'number':
        return 'z.number()';
      case 'boolean':
        return 'z.boolean()';
      case 'array':
        return `z.array(${schema.items === undefined ? 'z.unknown()' : this.expression(schema.items, indent, owner)})`;
      case 'object':
      case undefined:
        if (schema.properties !== undefined) return `z.looseObject(${this.shape(schema, indent, owner)})`;
        if (schema.additionalProperties !== undefined) {
          const values =
            typeof schema.additionalProperties === 'boolean'
              ? 'z.unknown()'
              : this.expression(schema.additionalProperties, indent, owner);
          const nullableValues = typeof schema.additionalProperties === 'object' && schema.additionalProperties['x-nullable'] === true;
          return `z.record(z.string(), ${values}${nullableValues ? '.nullable()' : ''})`;
        }
        return schema.type === 'object' ? 'z.looseObject({})' : 'z.unknown()';
      default:
        throw new Error(`unsupported type ${String(schema.type)} in ${owner}`);
    }
  }

  private shape(schema: SwaggerSchema, indent: string, owner: string): string {
    const inner = `${indent}  `;
    const required = new Set(this.ignoreRequired ? [] : (schema.required ?? []));
    const lines = Object.entries(schema.properties ?? {}).map(([property, propertySchema]) => {
      const override = propertyOverrides[`${owner}.${property}`];
      let expression = override ?? this.expression(propertySchema, inner, owner);
      if (!required.has(property)) expression += '.nullish()';
      else if (propertySchema['x-nullable'] === true || !isPrimitive(propertySchema, this.document)) expression += '.nullable()';
      const key = /^[A-Za-z_$][\w$]*$/.test(property) ? property : JSON.stringify(property);
      return `${docComment(propertySchema, inner)}${inner}${key}: ${expression},\n`;
    });
    const additions = Object.entries(propertyAdditions[owner] ?? {}).map(
      ([property, expression]) => `${inner}/** Not in the API document; dockerd uses it. */\n${inner}${property}: ${expression}.nullish(),\n`,
    );
    return `{\n${lines.join('')}${additions.join('')}${indent}}`;
  }
}

/** The API document, parsed (YAML → plain objects; not validated beyond what the generator reads). */
export function parseSpec(yamlText: string): unknown {
  return load(yamlText);
}

/** The generated schema module and the export block of `src/index.ts`, from the YAML text. */
export function generate(yamlText: string): { schemas: string; indexBlock: string } {
  const document = parseSpec(yamlText) as SwaggerDocument;
  const generator = new Generator(document);
  for (const name of definitionRoots) generator.emitDefinition(name);
  for (const root of inlineRoots) generator.emitInline(root);
  const names = [...generator.names];
  const indexBlock = [
    indexBegin,
    'export {',
    ...names.map((name) => `  ${name}Schema,`),
    "} from './generated/engine-api-schemas.js';",
    'export type {',
    ...names.map((name) => `  ${name},`),
    "} from './generated/engine-api-schemas.js';",
    indexEnd,
  ].join('\n');
  return { schemas: generator.render(), indexBlock };
}

/** `src/index.ts` with its generated block replaced by `indexBlock`. */
export function spliceIndex(indexText: string, indexBlock: string): string {
  const begin = indexText.indexOf(indexBegin);
  const end = indexText.indexOf(indexEnd);
  if (begin < 0 || end < begin) throw new Error(`src/index.ts lacks the generated block markers`);
  return indexText.slice(0, begin) + indexBlock + indexText.slice(end + indexEnd.length);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { schemas, indexBlock } = generate(readFileSync(specPath, 'utf8'));
  writeFileSync(outputPath, schemas);
  writeFileSync(indexPath, spliceIndex(readFileSync(indexPath, 'utf8'), indexBlock));
  console.log(`wrote ${outputPath} and the export block of ${indexPath}`);
}
