import { busyboxImage } from '@berth/image/testing';
import { type Engine, createMemoryEngine } from '@berth/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { berth } from './cli-harness.js';

describe('berth container commands (memory engine)', () => {
  let engine: Engine;

  beforeEach(async () => {
    engine = await createMemoryEngine({ images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
  });
  afterEach(async () => {
    for (const c of await engine.containers.list({ all: true })) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await engine.close();
  });

  it('run prints the container output and returns its exit status', async () => {
    const hello = await berth(engine, ['run', '--name', 'hello', 'busybox', 'echo', 'hello', 'world']);
    expect(hello).toMatchObject({ status: 0, stdout: 'hello world\n' });
    const failing = await berth(engine, ['run', 'busybox', 'sh', '-c', 'exit 3']);
    expect(failing.status).toBe(3);
  });

  it('run returns 127 for a missing program and 125 for a bad flag or unknown image', async () => {
    const missing = await berth(engine, ['run', 'busybox', 'no-such-program']);
    expect(missing.status).toBe(127);
    expect(missing.stderr).toMatch(/executable file not found/);
    const badFlag = await berth(engine, ['run', '--bogus', 'busybox']);
    expect(badFlag.status).toBe(125);
    expect(badFlag.stderr).toBe("berth: unknown flag: --bogus\nSee 'berth run --help'.\n");
    const noArgs = await berth(engine, ['run']);
    expect(noArgs.status).toBe(125);
    expect(noArgs.stderr).toMatch(/"berth run" requires at least 1 argument/);
    const badPort = await berth(engine, ['run', '-p', 'x:y', 'busybox', 'true']);
    expect(badPort.status).toBe(125);
    expect(badPort.stderr).toMatch(/invalid port format for --publish/);
  });

  it('run -d prints the ID; ps lists it with docker columns; -q, --no-trunc, --format', async () => {
    const started = await berth(engine, ['run', '-d', '--name', 'web', '-l', 'tier=front', 'busybox', 'sleep', '1000']);
    expect(started.status).toBe(0);
    const id = started.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const ps = await berth(engine, ['ps']);
    const [header, row] = ps.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    expect(row).toContain(id.slice(0, 12));
    expect(row).toContain('"sleep 1000"');
    expect(row).toMatch(/Up (Less than a second|\d+ seconds?)/);
    expect(row).toMatch(/web$/);
    expect((await berth(engine, ['ps', '-q'])).stdout).toBe(`${id.slice(0, 12)}\n`);
    expect((await berth(engine, ['ps', '-q', '--no-trunc'])).stdout).toBe(`${id}\n`);
    expect((await berth(engine, ['ps', '--format', '{{.Names}}\\t{{.State}}\\t{{.Label "tier"}}'])).stdout).toBe('web\trunning\tfront\n');
    const json = JSON.parse((await berth(engine, ['ps', '--format', 'json'])).stdout) as Record<string, string>;
    expect(json).toMatchObject({ Names: 'web', Image: 'busybox', State: 'running', Labels: 'tier=front' });
    expect((await berth(engine, ['ps', '--format', 'table {{.Names}}'])).stdout).toBe('NAMES\nweb\n');
  });

  it('ps -a shows exited containers, filters by status and name, and relative CREATED times', async () => {
    await berth(engine, ['run', '--name', 'done', 'busybox', 'true']);
    await berth(engine, ['run', '-d', '--name', 'up', 'busybox', 'sleep', '1000']);
    expect((await berth(engine, ['ps', '--format', '{{.Names}}'])).stdout).toBe('up\n');
    expect((await berth(engine, ['ps', '-a', '-f', 'status=exited', '--format', '{{.Names}} {{.Status}}'])).stdout).toMatch(/^done Exited \(0\) .+ ago\n$/);
    const later = new Date(Date.now() + 5 * 60_000);
    const created = await berth(engine, ['ps', '-a', '-f', 'name=done', '--format', '{{.RunningFor}}'], { now: later });
    expect(created.stdout).toMatch(/^(4|5) minutes ago\n$/);
  });

  it('logs prints stdout and stderr separately, with --tail', async () => {
    await berth(engine, ['run', '--name', 'talk', 'busybox', 'sh', '-c', 'echo one; echo two; echo oops >&2']);
    const logs = await berth(engine, ['logs', 'talk']);
    expect(logs.stdout).toBe('one\ntwo\n');
    expect(logs.stderr).toBe('oops\n');
    expect(await berth(engine, ['logs', '-n', '1', 'talk'])).toMatchObject({ status: 0, stdout: '', stderr: 'oops\n' });
    expect(await berth(engine, ['logs', '--tail=2', 'talk'])).toMatchObject({ stdout: 'two\n', stderr: 'oops\n' });
  });

  it('exec runs in a running container and returns the command status', async () => {
    await berth(engine, ['run', '-d', '--name', 'box', 'busybox', 'sleep', '1000']);
    const echo = await berth(engine, ['exec', 'box', 'echo', 'inside']);
    expect(echo).toMatchObject({ status: 0, stdout: 'inside\n' });
    expect((await berth(engine, ['exec', 'box', 'sh', '-c', 'exit 7'])).status).toBe(7);
    const stopped = await berth(engine, ['exec', 'nope', 'true']);
    expect(stopped.status).toBe(1);
    expect(stopped.stderr).toMatch(/^Error response from daemon: No such container: nope/);
  });

  it('stop, restart, kill and rm print names; errors are per object with status 1', async () => {
    await berth(engine, ['run', '-d', '--name', 'aa', 'busybox', 'sleep', '1000']);
    expect(await berth(engine, ['stop', '-t', '0', 'aa'])).toMatchObject({ status: 0, stdout: 'aa\n' });
    expect((await engine.containers.inspect('aa')).state.status).toBe('exited');
    expect(await berth(engine, ['restart', '-t', '0', 'aa'])).toMatchObject({ status: 0, stdout: 'aa\n' });
    expect(await berth(engine, ['kill', 'aa'])).toMatchObject({ status: 0, stdout: 'aa\n' });
    const rm = await berth(engine, ['rm', 'aa', 'ghost']);
    expect(rm.status).toBe(1);
    expect(rm.stdout).toBe('aa\n');
    expect(rm.stderr).toBe('Error response from daemon: No such container: ghost\n');
    await berth(engine, ['run', '-d', '--name', 'bb', 'busybox', 'sleep', '1000']);
    expect((await berth(engine, ['rm', 'bb'])).status).toBe(1);
    expect(await berth(engine, ['rm', '-f', 'bb'])).toMatchObject({ status: 0, stdout: 'bb\n' });
  });

  it('inspect prints docker-cased JSON and templates read docker field names', async () => {
    await berth(engine, ['create', '--name', 'c1', '-e', 'A=1', 'busybox', 'true']);
    const inspected = JSON.parse((await berth(engine, ['inspect', 'c1'])).stdout) as Array<Record<string, unknown>>;
    expect(inspected[0]).toMatchObject({ Name: 'c1', State: { Status: 'created' } });
    expect((await berth(engine, ['inspect', '-f', '{{.State.Status}} {{.Name}}', 'c1'])).stdout).toBe('created c1\n');
    expect((await berth(engine, ['container', 'inspect', '--format', '{{json .Config.Env}}', 'c1'])).stdout).toMatch(/"A=1"/);
    const missing = await berth(engine, ['inspect', 'nothing']);
    expect(missing).toMatchObject({ status: 1, stderr: 'Error: No such object: nothing\n' });
  });

  it('create passes flags through to the engine: env, labels, ports, volumes, restart, memory', async () => {
    const created = await berth(engine, ['create', '--name', 'cfg', '-e', 'X=1', '-e', 'FROM_HOST', '-p', '127.0.0.1:8080:80', '-v', 'data:/data', '--restart', 'on-failure:2', '-m', '64m', '-w', '/tmp', 'busybox', 'sleep', '1'], { env: { FROM_HOST: 'yes' } });
    expect(created.status).toBe(0);
    const inspect = await engine.containers.inspect('cfg');
    expect(inspect.config.env).toEqual(expect.arrayContaining(['X=1', 'FROM_HOST=yes']));
    expect(inspect.hostConfig.portBindings['80/tcp']).toEqual([{ hostIp: '127.0.0.1', hostPort: '8080' }]);
    expect(inspect.hostConfig.restartPolicy).toMatchObject({ name: 'on-failure', maximumRetryCount: 2 });
    expect(inspect.hostConfig.resources.memory).toBe(64 * 1024 * 1024);
    expect(inspect.config.workingDir).toBe('/tmp');
  });

  it('run --rm removes the container after it exits', async () => {
    expect((await berth(engine, ['run', '--rm', '--name', 'gone', 'busybox', 'echo', 'x'])).stdout).toBe('x\n');
    expect(await engine.containers.list({ all: true })).toEqual([]);
  });

  it('run -i feeds stdin to the container', async () => {
    const result = await berth(engine, ['run', '-i', 'busybox', 'cat'], { stdin: 'piped text\n' });
    expect(result).toMatchObject({ status: 0, stdout: 'piped text\n' });
  });

  it('top, wait and port', async () => {
    await berth(engine, ['run', '-d', '--name', 'tt', '-p', '8080:80', 'busybox', 'sleep', '1000']);
    const top = await berth(engine, ['top', 'tt']);
    expect(top.status).toBe(0);
    expect(top.stdout.split('\n')[0]).toMatch(/PID/);
    expect((await berth(engine, ['port', 'tt', '80'])).stdout).toMatch(/:8080\n$/);
    await berth(engine, ['run', '-d', '--name', 'ww', 'busybox', 'sh', '-c', 'exit 4']);
    expect((await berth(engine, ['wait', 'ww'])).stdout).toBe('4\n');
  });

  it('an interrupt of run is forwarded to the container (--sig-proxy), whose status is returned', async () => {
    const interrupt = new AbortController();
    // PID 1 ignores signals it does not handle (as in a real container): the script traps SIGINT.
    const running = berth(engine, ['run', '--name', 'sigproxy', 'busybox', 'sh', '-c', "trap 'exit 5' INT; sleep 1000"], { signal: interrupt.signal });
    const isRunning = () => engine.containers.inspect('sigproxy').then((c) => c.state.status === 'running', () => false);
    while (!(await isRunning())) await new Promise((resolve) => setTimeout(resolve, 20));
    interrupt.abort();
    const result = await running;
    expect(result.status).toBe(5);
    expect((await engine.containers.inspect('sigproxy')).state.exitCode).toBe(5);
  });
});
