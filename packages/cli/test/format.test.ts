import { describe, expect, it } from 'vitest';
import { alignColumns, compileTemplate, ellipsis, humanDuration, humanSize, shortId, toDockerJson, writeList } from '@berth/cli';
import { Writable } from 'node:stream';

function capture(): Writable & { text: string } {
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      out.text += chunk.toString();
      cb();
    },
  }) as Writable & { text: string };
  out.text = '';
  return out;
}

describe('template', () => {
  it('reads fields, nested fields case-insensitively, json and functions', () => {
    const data = { ID: 'abc', state: { status: 'running' }, Labels: { a: '1' }, names: ['x', 'y'], Label: (k: string) => (k === 'a' ? '1' : '') };
    expect(compileTemplate('{{.ID}}\t{{.State.Status}}')(data)).toBe('abc\trunning');
    expect(compileTemplate('{{json .Labels}}')(data)).toBe('{"a":"1"}');
    expect(compileTemplate('{{.Labels | json}}')(data)).toBe('{"a":"1"}');
    expect(compileTemplate('{{join .Names ","}} {{upper .ID}} {{.Label "a"}}')(data)).toBe('x,y ABC 1');
    expect(compileTemplate('{{index .Labels "a"}}')(data)).toBe('1');
    expect(compileTemplate('{{.Missing}}')(data)).toBe('<no value>');
  });

  it('rejects unknown functions and unclosed actions', () => {
    expect(() => compileTemplate('{{nope .X}}')).toThrow(/function "nope" not defined/);
    expect(() => compileTemplate('{{.X')).toThrow(/unclosed action/);
  });
});

describe('units', () => {
  it('words durations as go-units does', () => {
    expect(humanDuration(500)).toBe('Less than a second');
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(5000)).toBe('5 seconds');
    expect(humanDuration(61_000)).toBe('About a minute');
    expect(humanDuration(3 * 60_000)).toBe('3 minutes');
    expect(humanDuration(3_600_000)).toBe('About an hour');
    expect(humanDuration(5 * 3_600_000)).toBe('5 hours');
    expect(humanDuration(3 * 86_400_000)).toBe('3 days');
    expect(humanDuration(20 * 86_400_000)).toBe('2 weeks');
    expect(humanDuration(90 * 86_400_000)).toBe('3 months');
    expect(humanDuration(800 * 86_400_000)).toBe('2 years');
  });

  it('sizes, IDs and ellipsis', () => {
    expect(humanSize(4_261_211)).toBe('4.26MB');
    expect(humanSize(512)).toBe('512B');
    expect(humanSize(1000)).toBe('1kB');
    expect(shortId('sha256:0123456789abcdef0123')).toBe('0123456789ab');
    expect(ellipsis('docker-entrypoint.sh mysqld', 20)).toBe('docker-entrypoint.s…');
    expect(ellipsis('short', 20)).toBe('short');
  });
});

describe('tables', () => {
  it('pads tab-separated cells like tabwriter (min 10, padding 3), last column as is', () => {
    expect(alignColumns(['A\tBB\tC', 'LONGER-THAN-TEN\tX\tlast'])).toEqual([`${'A'.padEnd(18)}${'BB'.padEnd(10)}C`, `LONGER-THAN-TEN   ${'X'.padEnd(10)}last`]);
  });

  it('prints table, table TEMPLATE, json, raw template and quiet', () => {
    const layout = { table: 'table {{.ID}}\t{{.Name}}', headers: { ID: 'THING ID' }, quietField: 'ID' };
    const rows = [{ ID: '1', Name: 'one' }];
    const print = (format: string | undefined, quiet = false) => {
      const out = capture();
      writeList(out, rows, format, layout, quiet);
      return out.text;
    };
    expect(print(undefined)).toBe('THING ID   NAME\n1          one\n');
    expect(print('table {{.Name}}\\t{{.ID}}')).toBe('NAME      THING ID\none       1\n');
    expect(print('json')).toBe('{"ID":"1","Name":"one"}\n');
    expect(print('{{.Name}}')).toBe('one\n');
    expect(print(undefined, true)).toBe('1\n');
  });
});

describe('toDockerJson', () => {
  it('PascalCases fields but keeps map keys', () => {
    expect(toDockerJson({ id: 'x', state: { exitCode: 0 }, config: { labels: { 'com.example': 'v' } } })).toEqual({ Id: 'x', State: { ExitCode: 0 }, Config: { Labels: { 'com.example': 'v' } } });
  });
});
