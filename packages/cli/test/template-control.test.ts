import { compileTemplate, templateFields } from '@berth/cli';
import { describe, expect, it } from 'vitest';

const container = {
  id: 'abc',
  names: ['web', 'frontend'],
  labels: { tier: 'front', app: 'shop' },
  mounts: [
    { type: 'volume', source: 'data', destination: '/data' },
    { type: 'bind', source: '/srv', destination: '/srv' },
  ],
  state: { status: 'running', exitCode: 0, running: true },
  ports: [] as unknown[],
};

describe('--format templates: control structures', () => {
  it('ranges over lists, with the element as dot, index and element variables, and else', () => {
    expect(compileTemplate('{{range .Mounts}}{{.Destination}} {{end}}')(container)).toBe('/data /srv ');
    expect(compileTemplate('{{range $i, $m := .Mounts}}{{$i}}={{$m.Type}};{{end}}')(container)).toBe('0=volume;1=bind;');
    expect(compileTemplate('{{range $m := .Mounts}}{{$m.Source}},{{end}}')(container)).toBe('data,/srv,');
    expect(compileTemplate('{{range .Ports}}x{{else}}none{{end}}')(container)).toBe('none');
  });

  it('ranges over maps in key order, and reaches the root through $', () => {
    expect(compileTemplate('{{range $k, $v := .Labels}}{{$k}}={{$v}} {{end}}')(container)).toBe('app=shop tier=front ');
    expect(compileTemplate('{{range .Names}}{{.}}@{{$.ID}} {{end}}')(container)).toBe('web@abc frontend@abc ');
  });

  it('branches with if, else if and else on Go truth', () => {
    const status = compileTemplate('{{if eq .State.Status "exited"}}dead{{else if .State.Running}}up{{else}}?{{end}}');
    expect(status(container)).toBe('up');
    expect(status({ state: { status: 'exited' } })).toBe('dead');
    expect(status({ state: { status: 'created', running: false } })).toBe('?');
    expect(compileTemplate('{{if .Ports}}ports{{else}}no ports{{end}}')(container)).toBe('no ports');
    expect(compileTemplate('{{if and .State.Running (not .Ports)}}ok{{end}}')(container)).toBe('ok');
    // and/or answer with the deciding operand itself, a missing (nil) one included, as Go's.
    expect(compileTemplate('{{if and .Missing .ID}}yes{{else}}no{{end}}')(container)).toBe('no');
    expect(compileTemplate('{{and .Missing .ID}}|{{and .ID .State.Status}}|{{or .Missing .ID}}|{{or .Missing .Ports}}')(container)).toBe('<no value>|running|abc|[]');
  });

  it('scopes dot with with, and falls to else when empty', () => {
    expect(compileTemplate('{{with .State}}{{.Status}}/{{.ExitCode}}{{end}}')(container)).toBe('running/0');
    expect(compileTemplate('{{with .Missing}}x{{else}}none{{end}}')(container)).toBe('none');
  });

  it('declares and reassigns variables, calls len, printf, split and comparisons', () => {
    expect(compileTemplate('{{$n := len .Mounts}}{{$n}} mounts')(container)).toBe('2 mounts');
    expect(compileTemplate('{{$s := "a"}}{{range .Names}}{{$s = .}}{{end}}{{$s}}')(container)).toBe('frontend');
    expect(compileTemplate('{{printf "%-5s|%3d|%v" .ID 7 .State.Running}}')(container)).toBe('abc  |  7|true');
    expect(compileTemplate('{{index (split "a:b:c" ":") 1}}')(container)).toBe('b');
    expect(compileTemplate('{{if gt (len .Names) 1}}many{{end}}')(container)).toBe('many');
  });

  it('trims white space around {{- and -}}, and ignores comments', () => {
    const source = '{{range .Names -}}\n  {{ . }}\n{{- end}}{{/* a comment */}}';
    expect(compileTemplate(source)(container)).toBe('webfrontend');
  });

  it('says what is wrong with a malformed structure', () => {
    expect(() => compileTemplate('{{range .Names}}x')).toThrow(/without \{\{end\}\}/);
    expect(() => compileTemplate('{{end}}')).toThrow(/unexpected \{\{end\}\}/);
    expect(() => compileTemplate('{{else}}')).toThrow(/unexpected \{\{else\}\}/);
    expect(() => compileTemplate('{{if}}x{{end}}')).toThrow(/missing value for if/);
    expect(() => compileTemplate('{{(.ID}}')).toThrow(/unclosed left paren/);
    expect(() => compileTemplate('{{range .ID}}x{{end}}')(container)).toThrow(/can't iterate over abc/);
    expect(() => compileTemplate('{{$nope}}')(container)).toThrow(/undefined variable "\$nope"/);
  });

  // `if` keeps dot, `with` moves it: .Tier is a field of .Labels, not of the row.
  it('names the top-level fields of every action for table headers', () => {
    expect(templateFields('{{.ID}}\t{{if .State.Running}}{{.Names}}{{end}}{{with .Labels}}{{.Tier}}{{end}}')).toEqual(['ID', 'State', 'Names', 'Labels']);
  });
});
