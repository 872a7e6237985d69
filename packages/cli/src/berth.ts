#!/usr/bin/env node
/**
 * The `berth` binary: runs the command line against the daemon named by `-H` or
 * `DOCKER_HOST` and exits with the command's status. Ctrl-C ends streaming commands.
 */
import { once } from 'node:events';
import { runCli } from './run-cli.js';

const controller = new AbortController();
// The first SIGINT stops a streaming command cleanly (`logs -f`, `events`); `-it` sessions get it as a key in raw mode.
process.once('SIGINT', () => controller.abort());
const status = await runCli(process.argv.slice(2), { stdin: process.stdin, signal: controller.signal });
// Let piped output drain, then exit: an open stdin (a terminal in raw mode) would otherwise keep the process alive.
if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
process.exit(status);
