#!/usr/bin/env node
/**
 * The `berthd` binary: dockerd's command line over {@link runDaemon}. Exits 1 with the
 * reason when it cannot start.
 *
 * @packageDocumentation
 */
import { runDaemon } from './run-daemon.js';

runDaemon(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`berthd: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
