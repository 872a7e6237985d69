/**
 * Writes the `berth` command reference to `docs/cli/` (repository root) from the command
 * definitions. Run: `npx tsx --conditions=@berth/source packages/cli/scripts/generate-cli-docs.ts`
 * (or `npm run docs -w @berth/cli`). Pages of commands that no longer exist are removed.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandReference } from '../src/command-reference.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'cli');
await mkdir(target, { recursive: true });
const pages = commandReference();
const wanted = new Set(pages.map((page) => page.file));
for (const file of await readdir(target)) {
  if (file.endsWith('.md') && !wanted.has(file)) await rm(join(target, file));
}
for (const page of pages) await writeFile(join(target, page.file), page.markdown);
process.stdout.write(`wrote ${pages.length} pages to ${target}\n`);
