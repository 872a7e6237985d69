/**
 * `@berth/cli`: the `berth` command line — docker's commands, flags, output formats and
 * exit statuses over any `Engine` (berthd or dockerd through `@berth/engine-client`, or an
 * in-process engine). `runCli(argv, { engine, stdout, stderr })` is the whole CLI as a
 * function, for tests and embedders.
 *
 * @packageDocumentation
 */

// --- command line ---
export { runCli, GLOBAL_FLAGS } from './run-cli.js';
export type { RunCliOptions } from './run-cli.js';
export { COMMANDS, findCommand } from './commands/command-table.js';
export type { CommandSpec, FlagSpec, FlagKind, ParsedFlags, CliContext, CliInput, CliOutput } from './command.js';
export { parseArgs } from './parse-args.js';
export type { ParsedArgs } from './parse-args.js';
export { commandHelp, programHelp, flagLines } from './help.js';
export { CLI_VERSION } from './version.js';
export { commandReference } from './command-reference.js';
export type { ReferencePage } from './command-reference.js';

// --- output formats ---
export { compileTemplate, templateFields, renderValue } from './format/template.js';
export type { CompiledTemplate } from './format/template.js';
export { writeList, writeObjects, formatReadsField } from './format/list-format.js';
export type { ListLayout } from './format/list-format.js';
export { alignColumns } from './format/tab-writer.js';
export { humanDuration, timeAgo, humanSize, binarySize, shortId, ellipsis } from './format/units.js';
export { toDockerJson } from './format/docker-json.js';
export { ProgressLines, progressBar, writePullProgress, writePushProgress } from './format/progress.js';
