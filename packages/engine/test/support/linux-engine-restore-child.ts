// Child process of the live-restore test: opens the real engine on the roots given as
// arguments, loads busybox, creates and starts the containers the test needs, prints their
// IDs as one JSON line, and then idles until the test SIGKILLs it (an engine that crashed).
//
//   node --conditions=@berth/source --import tsx linux-engine-restore-child.ts <dataRoot> <stateRoot> <workDir> <triggerDir>
import { loadBusybox, openLinuxEngine } from './linux-engine-fixture.js';

const [dataRoot, stateRoot, workDir, triggerDir] = process.argv.slice(2);
if (!dataRoot || !stateRoot || !workDir || !triggerDir) {
  process.stderr.write('usage: linux-engine-restore-child <dataRoot> <stateRoot> <workDir> <triggerDir>\n');
  process.exit(2);
}

const engine = await openLinuxEngine({ dataRoot, stateRoot });
await loadBusybox(engine, workDir);
const trigger = { type: 'bind' as const, source: triggerDir, target: '/trigger' };

// Keeps running and logging; exits 0 on the stop signal.
const running = await engine.containers.create({
  image: 'busybox',
  cmd: ['sh', '-c', 'trap "exit 0" TERM; i=0; while :; do echo "tick $i"; i=$((i+1)); sleep 0.1; done'],
});
// Exits 7 once the test creates /trigger/exit (while no engine watches).
const dying = await engine.containers.create({
  image: 'busybox',
  cmd: ['sh', '-c', 'while [ ! -f /trigger/exit ]; do sleep 0.05; done; exit 7'],
  mounts: [trigger],
});
// restart=always: fails once the test creates /trigger/fail; its restarted run stays up.
const restarting = await engine.containers.create({
  image: 'busybox',
  cmd: ['sh', '-c', 'if [ -f /ran ]; then exec sleep 1000; fi; touch /ran; while [ ! -f /trigger/fail ]; do sleep 0.05; done; exit 1'],
  mounts: [trigger],
  restartPolicy: { name: 'always' },
  stopTimeout: 1,
});
for (const { id } of [running, dying, restarting]) await engine.containers.start(id);
process.stdout.write(`${JSON.stringify({ running: running.id, dying: dying.id, restarting: restarting.id })}\n`);
// Idle until killed.
setInterval(() => undefined, 60_000);
