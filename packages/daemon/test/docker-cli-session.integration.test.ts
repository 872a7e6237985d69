import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { describeIntegration, makeTempDir, type DockerRegistry, startDockerRegistry } from '@berth/testkit';
import { type DaemonServer, serveEngine } from '@berth/daemon';
import { type BridgeEngine, openBridgeEngine } from './support/bridge-engine.js';

const dockerCli = '/usr/local/bin/docker';
const execFileAsync = promisify(execFile);

/** What a finished command printed and its exit code. */
interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command running under `script`, i.e. on a real pty: feed it keys, wait for output. */
interface PtySession {
  write(text: string): void;
  /** Resolves once the output so far matches `pattern`; rejects if the command exits first. */
  waitFor(pattern: RegExp): Promise<string>;
  output(): string;
  /** The exit code (script -e passes the command's). */
  exit: Promise<number>;
  child: ChildProcess;
}

// One scripted session of the docker CLI against berthd over the real engine (runc, conmon,
// overlayfs, the bridge driver on private names) and a local docker-registry: the verification
// issue 6 asks for. The steps run in order and build on each other.
describeIntegration('docker CLI session against berthd (real engine, bridge network)', {
  root: true,
  commands: ['runc', 'conmon', 'docker-registry', 'script', 'curl', dockerCli],
}, () => {
  let dir: { path: string; remove: () => Promise<void> };
  let bridge: BridgeEngine;
  let server: DaemonServer;
  let registry: DockerRegistry;
  let socketPath: string;
  const env = () => ({ ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: join(dir.path, 'docker-config'), TERM: 'xterm' });
  const sessions: ChildProcess[] = [];

  /** Runs the docker CLI; resolves with its exit code and output whatever the code. */
  const dockerOutcome = async (args: string[], input?: string | Buffer): Promise<Outcome> => {
    const child = execFile(dockerCli, args, { env: env(), timeout: 30_000, encoding: 'buffer', maxBuffer: 64 << 20 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    if (input === undefined) child.stdin!.end();
    else child.stdin!.end(input);
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
  };
  /** Runs the docker CLI and expects exit code 0; resolves with stdout. */
  const docker = async (...args: string[]): Promise<string> => {
    const outcome = await dockerOutcome(args);
    if (outcome.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${outcome.code}: ${outcome.stderr}${outcome.stdout}`);
    return outcome.stdout;
  };
  /** A shell pipeline with the docker CLI on PATH as `docker`. */
  const shell = async (command: string): Promise<string> =>
    (await execFileAsync('sh', ['-c', command], { env: { ...env(), PATH: `/usr/local/bin:${process.env['PATH'] ?? ''}` }, timeout: 30_000, maxBuffer: 64 << 20 })).stdout;
  /** `script -qefc "docker …" /dev/null`: the docker CLI on a pty, stdin fed by the test. */
  const onPty = (args: string[], size?: { rows: number; cols: number }): PtySession => {
    // `stty` gives script's pty a size, which the CLI sends on with POST …/resize.
    const command = `${size ? `stty rows ${size.rows} cols ${size.cols}; ` : ''}${[dockerCli, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`;
    const child = spawn('script', ['-qefc', command, '/dev/null'], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    sessions.push(child);
    let output = '';
    const waiters = new Set<() => void>();
    const onData = (c: Buffer) => {
      output += c.toString('utf8');
      for (const waiter of waiters) waiter();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const exit = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    return {
      child,
      exit,
      output: () => output,
      write: (text) => child.stdin!.write(text),
      waitFor: (pattern) =>
        new Promise<string>((resolve, reject) => {
          const check = () => {
            if (pattern.test(output)) {
              waiters.delete(check);
              resolve(output);
            }
          };
          waiters.add(check);
          check();
          void exit.then((code) => {
            if (!pattern.test(output)) reject(new Error(`command exited ${code} before printing ${pattern}: ${JSON.stringify(output)}`));
          });
        }),
    };
  };
  /** A request over berthd's socket: status and parsed JSON body (what the CLI has no command for). */
  const api = (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers = payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {};
      const req = request({ socketPath, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  const getJson = (path: string) => api('GET', path);
  /** Shell line printing the terminal's size once the CLI's resize has arrived (it races with the shell's start). */
  const untilSized = 'for i in $(seq 50); do [ "$(stty size)" = "0 0" ] || break; sleep 0.1; done; stty size';
  /** Polls `check` until it holds (network convergence, state settling); bounded. */
  const eventually = async (check: () => Promise<boolean>, attempts = 50): Promise<boolean> => {
    for (let i = 0; i < attempts; i++) {
      if (await check().catch(() => false)) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  };

  beforeAll(async () => {
    dir = await makeTempDir('berthd-cli-session');
    socketPath = join(dir.path, 'd.sock');
    bridge = await openBridgeEngine(dir.path);
    server = await serveEngine(bridge.engine, { listeners: [{ type: 'unix', path: socketPath }], shutdownTimeoutMs: 2000 });
    registry = await startDockerRegistry({ dir: join(dir.path, 'registry') });
    await writeDockerArchive(join(dir.path, 'busybox.tar'), [{ image: busyboxImage(), tags: ['busybox:latest'] }]);
    expect(await docker('load', '-i', join(dir.path, 'busybox.tar'))).toContain('Loaded image: busybox:latest');
  }, 60_000);

  afterAll(async () => {
    for (const child of sessions) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server?.close();
    await bridge?.dispose();
    await registry?.stop();
    await dir?.remove();
  }, 60_000);

  it('run --rm passes output and exit codes; 125/126/127 as docker', async () => {
    expect(await docker('run', '--rm', 'busybox', 'echo', 'hello from runc')).toBe('hello from runc\n');
    // `-e NAME` with NAME unset on the client reaches the daemon as `NAME`: unset, as dockerd does.
    expect(await docker('run', '--rm', '-e', 'SESSION_UNSET_VARIABLE', '-e', 'SET=1', 'busybox', 'sh', '-c', 'echo ${SESSION_UNSET_VARIABLE:-unset} $SET')).toBe('unset 1\n');
    expect(await dockerOutcome(['run', '--rm', 'busybox', 'sh', '-c', 'echo to-stderr >&2; exit 4'])).toMatchObject({ code: 4, stderr: 'to-stderr\n' });
    // Binary stdin arrives whole: 2 MiB holding ctrl-p ctrl-q pairs (detach keys only apply to a TTY).
    const binary = Buffer.alloc(2 << 20, Buffer.from([0x10, 0x11, 0x00, 0xff, 0x0a, 0x41]));
    const digest = createHash('sha256').update(binary).digest('hex');
    expect(await dockerOutcome(['run', '--rm', '-i', 'busybox', 'sha256sum'], binary)).toMatchObject({ code: 0, stdout: `${digest}  -\n` });
    expect((await dockerOutcome(['run', '--rm', 'busybox', 'no-such-command'])).code).toBe(127);
    expect((await dockerOutcome(['run', '--rm', 'busybox', '/etc/passwd'])).code).toBe(126);
    expect((await dockerOutcome(['run', '--rm', '--no-such-flag', 'busybox'])).code).toBe(125);
    expect(await docker('ps', '-aq')).toBe('');
  });

  it('run -it through a pty: a shell that reads the keyboard and exits with its code', async () => {
    const session = onPty(['run', '-it', '--rm', '--name', 'cli-tty', 'busybox', 'sh'], { rows: 41, cols: 101 });
    await session.waitFor(/built-in commands/);
    session.write(`echo "tty says $((40 + 2))"; [ -t 0 ] && echo is-a-tty; ${untilSized}\r`);
    await session.waitFor(/tty says 42[\s\S]*is-a-tty\r\n41 101\r\n/);
    session.write('exit 7\r');
    expect(await session.exit).toBe(7);
    session.child.stdin!.end();
    expect(await docker('ps', '-aq', '--filter', 'name=cli-tty')).toBe('');
  });

  it('run -d, ps with filters and --format, logs -f', async () => {
    const id = (await docker('run', '-d', '--name', 'cli-web', '-l', 'tier=front', 'busybox', 'sh', '-c', 'echo started; exec sleep 1000')).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await docker('run', '-d', '--name', 'cli-done', 'busybox', 'sh', '-c', 'echo one; sleep 0.2; echo two; exit 3');
    expect(await docker('logs', '-f', 'cli-done')).toBe('one\ntwo\n');
    expect((await docker('wait', 'cli-done')).trim()).toBe('3');
    expect((await docker('ps', '--format', '{{.Names}} {{.Image}} {{.Labels}}')).trim()).toBe('cli-web busybox tier=front');
    expect((await docker('ps', '-a', '--filter', 'exited=3', '--format', '{{.Names}}')).trim()).toBe('cli-done');
    expect((await docker('ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}} {{.Status}}')).trim()).toMatch(/^cli-done Exited \(3\) .* ago$/);
    expect((await docker('ps', '--filter', 'label=tier=front', '-q', '--no-trunc')).trim()).toBe(id);
    expect((await docker('ps', '-a', '--filter', 'name=cli-', '--format', '{{.Names}}')).trim().split('\n').sort()).toEqual(['cli-done', 'cli-web']);
    expect((await docker('ps', '--filter', `id=${id.slice(0, 12)}`, '--format', '{{.ID}} {{.Command}}')).trim()).toBe(`${id.slice(0, 12)} "sh -c 'echo started…"`);
    const json = JSON.parse((await docker('ps', '--format', 'json')).trim()) as Record<string, string>;
    expect(json).toMatchObject({ Names: 'cli-web', State: 'running', Image: 'busybox' });
    expect(await docker('logs', '--tail', '1', 'cli-web')).toBe('started\n');
    expect(await docker('rm', 'cli-done')).toBe('cli-done\n');
  });

  it('exec: output, exit code, stdin with -i', async () => {
    expect(await docker('exec', 'cli-web', 'cat', '/etc/hostname')).toMatch(/^[0-9a-f]{12}\n$/);
    expect((await dockerOutcome(['exec', 'cli-web', 'sh', '-c', 'exit 5'])).code).toBe(5);
    expect((await dockerOutcome(['exec', '-i', 'cli-web', 'sh', '-c', 'tr a-z A-Z'], 'piped through exec\n')).stdout).toBe('PIPED THROUGH EXEC\n');
    expect(await docker('exec', '-w', '/tmp', '-e', 'GREETING=hi', 'cli-web', 'sh', '-c', 'echo $GREETING $(pwd)')).toBe('hi /tmp\n');
    // dockerd: the runtime's reason on stdout, exit code 126 from exec inspect.
    expect(await dockerOutcome(['exec', 'cli-web', 'no-such-command'])).toMatchObject({ code: 126, stdout: expect.stringContaining('no-such-command') });
  });

  it('exec -it through a pty', async () => {
    const session = onPty(['exec', '-it', 'cli-web', 'sh'], { rows: 42, cols: 102 });
    await session.waitFor(/built-in commands/);
    session.write(`[ -t 0 ] && echo "exec has a tty"; ${untilSized}\r`);
    await session.waitFor(/exec has a tty\r\n42 102\r\n/);
    session.write('exit 6\r');
    expect(await session.exit).toBe(6);
    session.child.stdin!.end();
  });

  it('stop, kill, rm -f', async () => {
    await docker('run', '-d', '--name', 'cli-stop', 'busybox', 'sh', '-c', 'trap "exit 143" TERM; sleep 1000 & wait');
    expect(await docker('stop', 'cli-stop')).toBe('cli-stop\n');
    expect((await docker('inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'cli-stop')).trim()).toBe('exited 143');
    await docker('run', '-d', '--name', 'cli-kill', 'busybox', 'sleep', '1000');
    expect(await docker('kill', 'cli-kill')).toBe('cli-kill\n');
    expect((await docker('wait', 'cli-kill')).trim()).toBe('137');
    const notRunning = await dockerOutcome(['kill', 'cli-kill']);
    expect(notRunning.code).toBe(1);
    expect(notRunning.stderr).toMatch(/is not running/);
    await docker('start', 'cli-kill');
    const running = await dockerOutcome(['rm', 'cli-kill']);
    expect(running.code).toBe(1);
    expect(running.stderr).toMatch(/cannot remove container "?\/?cli-kill"?: container is running: stop the container before removing or force remove/);
    expect(await docker('rm', '-f', 'cli-kill', 'cli-stop')).toBe('cli-kill\ncli-stop\n');
    expect(await docker('ps', '-aq', '--filter', 'name=cli-kill')).toBe('');
    const missing = await dockerOutcome(['rm', 'cli-kill']);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('No such container: cli-kill') });
  });

  it('pause/unpause, rename, top, stats, port, diff, wait', async () => {
    expect(await docker('pause', 'cli-web')).toBe('cli-web\n');
    expect((await docker('ps', '--filter', 'status=paused', '--format', '{{.Names}} {{.Status}}')).trim()).toMatch(/^cli-web Up .* \(Paused\)$/);
    const paused = await dockerOutcome(['exec', 'cli-web', 'true']);
    expect(paused.code).toBe(1);
    expect(paused.stderr).toMatch(/is paused, unpause the container before exec/);
    expect(await docker('unpause', 'cli-web')).toBe('cli-web\n');
    await docker('rename', 'cli-web', 'cli-main');
    expect((await docker('inspect', '--format', '{{.Name}} {{.State.Status}}', 'cli-main')).trim()).toBe('/cli-main running');
    const top = (await docker('top', 'cli-main')).split('\n');
    expect(top[0]).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    expect(top.some((line) => line.endsWith('sleep 1000'))).toBe(true);
    expect((await docker('top', 'cli-main', '-o', 'pid,comm')).split('\n').slice(1).join('\n')).toMatch(/\d+\s+sleep/);
    expect((await docker('stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', 'cli-main')).trim()).toMatch(/^cli-main [1-9]\d*$/);
    const statsTable = await docker('stats', '--no-stream', 'cli-main');
    expect(statsTable).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS\n[0-9a-f]{12}\s+cli-main\s+/);
    // No published ports: `docker port` prints nothing and succeeds.
    expect(await docker('port', 'cli-main')).toBe('');
    await docker('exec', 'cli-main', 'sh', '-c', 'mkdir /data-new && echo x > /data-new/file && rm /bin/ls');
    const diff = (await docker('diff', 'cli-main')).trim().split('\n');
    expect(diff).toEqual(expect.arrayContaining(['A /data-new', 'A /data-new/file', 'C /bin', 'D /bin/ls']));
  });

  it('commit with changes, then run the committed image', async () => {
    const image = (await docker('commit', '--change', 'ENV COMMITTED=yes', '--change', 'CMD ["cat", "/data-new/file"]', '-m', 'from the session', 'cli-main', 'cli-committed:1')).trim();
    expect(image).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await docker('run', '--rm', 'cli-committed:1')).toBe('x\n');
    expect(await docker('run', '--rm', 'cli-committed:1', 'sh', '-c', 'echo $COMMITTED')).toBe('yes\n');
    expect((await docker('image', 'inspect', '--format', '{{.Comment}}', 'cli-committed:1')).trim()).toBe('from the session');
    expect((await docker('history', '--format', '{{.Comment}}', 'cli-committed:1')).split('\n')[0]).toBe('from the session');
  });

  it('cp both ways: files, directories, tar on stdin and stdout', async () => {
    const local = join(dir.path, 'cp');
    await mkdir(join(local, 'tree', 'sub'), { recursive: true });
    await writeFile(join(local, 'tree', 'top.txt'), 'top\n');
    await writeFile(join(local, 'tree', 'sub', 'deep.txt'), 'deep\n');
    await docker('cp', join(local, 'tree'), 'cli-main:/tmp/');
    expect(await docker('exec', 'cli-main', 'cat', '/tmp/tree/top.txt', '/tmp/tree/sub/deep.txt')).toBe('top\ndeep\n');
    await docker('cp', join(local, 'tree', 'top.txt'), 'cli-main:/tmp/renamed.txt');
    expect(await docker('exec', 'cli-main', 'cat', '/tmp/renamed.txt')).toBe('top\n');
    await docker('exec', 'cli-main', 'sh', '-c', 'mkdir -p /out/nested && echo made-inside > /out/nested/file');
    await docker('cp', 'cli-main:/out', join(local, 'back'));
    expect(await readFile(join(local, 'back', 'nested', 'file'), 'utf8')).toBe('made-inside\n');
    await docker('cp', 'cli-main:/out/nested/file', join(local, 'single'));
    expect(await readFile(join(local, 'single'), 'utf8')).toBe('made-inside\n');
    expect(await shell(`docker cp cli-main:/out/nested - | tar -tf - | sort`)).toBe('nested/\nnested/file\n');
    await shell(`cd ${local}/tree && tar -cf - top.txt | docker cp - cli-main:/tmp`);
    expect(await docker('exec', 'cli-main', 'cat', '/tmp/top.txt')).toBe('top\n');
    const missing = await dockerOutcome(['cp', 'cli-main:/no/such/path', join(local, 'x')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Could not find the file \/no\/such\/path in container cli-main/);
  });

  it('tag, push to and pull from a local registry, images, rmi', async () => {
    const remote = `${registry.host}/session/busybox:v1`;
    expect(await docker('tag', 'busybox', remote)).toBe('');
    const pushed = await docker('push', remote);
    expect(pushed).toMatch(/^The push refers to repository \[127\.0\.0\.1:\d+\/session\/busybox\]$/m);
    const pushedDigest = /^v1: digest: (sha256:[0-9a-f]{64}) size: \d+$/m.exec(pushed)?.[1];
    expect(pushedDigest).toBeDefined();
    expect(await docker('rmi', remote)).toBe(`Untagged: ${remote}\n`);
    const pulled = await docker('pull', remote);
    expect(pulled).toContain(`Digest: ${pushedDigest}`);
    expect(pulled).toContain(`Status: Downloaded newer image for ${remote}`);
    expect(pulled.trim().split('\n').at(-1)).toBe(remote);
    expect((await docker('pull', remote)).trim().split('\n').slice(-2)).toEqual([`Status: Image is up to date for ${remote}`, remote]);
    // Berth's image store keeps the digest each name points at, as containerd's store does: every name gets a repo digest.
    expect(JSON.parse(await docker('image', 'inspect', '--format', '{{json .RepoDigests}}', remote))).toContain(`${registry.host}/session/busybox@${pushedDigest}`);
    const busyboxId = (await docker('images', '-q', '--no-trunc', 'busybox')).trim();
    expect((await docker('images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', `${registry.host}/session/busybox`)).trim()).toBe(`${registry.host}/session/busybox:v1 ${busyboxId}`);
    expect((await docker('images', '--digests', '--format', '{{.Digest}}', `${registry.host}/session/busybox`)).trim()).toBe(pushedDigest);
    expect(await docker('pull', `${registry.host}/session/busybox@${pushedDigest}`)).toContain(`Status: Image is up to date for ${registry.host}/session/busybox@${pushedDigest}`);
    // GET /distribution/{name}/json asks docker-registry without pulling.
    const distribution = await getJson(`/v1.47/distribution/${remote}/json`);
    expect(distribution).toEqual({
      status: 200,
      body: {
        Descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: pushedDigest, size: expect.any(Number) },
        Platforms: [{ architecture: process.arch === 'arm64' ? 'arm64' : 'amd64', os: 'linux' }],
      },
    });
    expect((await getJson(`/v1.47/distribution/${registry.host}/session/busybox:no-such-tag/json`)).status).toBe(404);
    const missing = await dockerOutcome(['pull', `${registry.host}/session/none:v1`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found|manifest unknown/i);
    // Removing by ID with several names is docker's conflict, forced it untags everything.
    await docker('tag', 'busybox', 'session-extra:1');
    const conflict = await dockerOutcome(['rmi', 'session-extra:1', busyboxId.slice(7, 19)]);
    expect(conflict.code).toBe(1);
    expect(conflict.stdout).toBe('Untagged: session-extra:1\n');
    expect(conflict.stderr).toMatch(/conflict: unable to delete [0-9a-f]{12} \(must be forced\) - image is referenced in multiple repositories|image is being used by running container/);
  });

  it('save | load, export | import', async () => {
    expect(await shell(`docker save busybox cli-committed:1 | docker load`)).toBe('Loaded image: busybox:latest\nLoaded image: cli-committed:1\n');
    const saved = join(dir.path, 'committed.tar');
    await docker('save', '-o', saved, 'cli-committed:1');
    await docker('rmi', 'cli-committed:1');
    expect(await docker('load', '-q', '-i', saved)).toBe('Loaded image: cli-committed:1\n');
    expect(await shell(`docker export cli-main | docker import --change 'CMD ["/bin/sh", "-c", "cat /tmp/top.txt"]' - session-imported:1`)).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(await docker('run', '--rm', 'session-imported:1')).toBe('top\n');
    const exported = join(dir.path, 'exported.tar');
    await docker('export', '-o', exported, 'cli-main');
    expect(await shell(`tar -tf ${exported} | grep -c '^bin/busybox$'`)).toBe('1\n');
    expect(await docker('import', exported, 'session-imported:2')).toMatch(/^sha256:/);
    expect(await docker('run', '--rm', 'session-imported:2', '/bin/cat', '/out/nested/file')).toBe('made-inside\n');
  });

  it('networks: create, connect, disconnect, a published port reached from the host, rm', async () => {
    const subnet = bridge.subnet(7);
    const netId = (await docker('network', 'create', '--subnet', subnet, '--label', 'session=yes', 'session-net')).trim();
    expect(netId).toMatch(/^[0-9a-f]{64}$/);
    expect((await docker('network', 'ls', '--filter', 'label=session=yes', '--format', '{{.Name}} {{.Driver}} {{.Scope}}')).trim()).toBe('session-net bridge local');
    expect((await docker('network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Driver}}', 'session-net')).trim()).toBe(`${subnet} bridge`);
    await docker('run', '-d', '--name', 'session-web', '--network', 'session-net', '--network-alias', 'web', '-p', '127.0.0.1::8080', 'busybox', 'sh', '-c', 'mkdir /www && echo served-by-berth > /www/index.html && exec httpd -f -p 8080 -h /www');
    const published = (await docker('port', 'session-web', '8080')).trim();
    expect(published).toMatch(/^127\.0\.0\.1:\d+$/);
    expect((await docker('port', 'session-web')).trim()).toBe(`8080/tcp -> ${published}`);
    expect((await docker('ps', '--filter', 'name=session-web', '--format', '{{.Ports}}')).trim()).toBe(`${published}->8080/tcp`);
    expect((await docker('ps', '--filter', 'publish=8080', '--format', '{{.Names}}')).trim()).toBe('session-web');
    let body = '';
    expect(await eventually(async () => {
      body = (await execFileAsync('curl', ['-sf', '--max-time', '2', `http://${published}/`])).stdout;
      return true;
    })).toBe(true);
    expect(body).toBe('served-by-berth\n');
    // Another container on the network reaches it by alias.
    expect(await docker('run', '--rm', '--network', 'session-net', 'busybox', 'wget', '-q', '-O', '-', 'http://web:8080/')).toBe('served-by-berth\n');
    // cli-main joins the network, reaches the server there by address and by name (its
    // resolv.conf now points at the embedded DNS, as dockerd does), leaves again.
    expect(await docker('exec', 'cli-main', 'cat', '/etc/resolv.conf')).not.toContain('127.0.0.11');
    expect(await docker('network', 'connect', '--alias', 'main', 'session-net', 'cli-main')).toBe('');
    expect(await docker('exec', 'cli-main', 'cat', '/etc/resolv.conf')).toContain('nameserver 127.0.0.11');
    expect(await docker('exec', 'cli-main', 'wget', '-q', '-O', '-', 'http://web:8080/')).toBe('served-by-berth\n');
    const networks = (await docker('inspect', '--format', '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}', 'cli-main')).trim().split(' ').sort();
    expect(networks).toEqual(['bridge', 'session-net']);
    const webAddress = (await docker('inspect', '--format', '{{(index .NetworkSettings.Networks "session-net").IPAddress}}', 'session-web')).trim();
    expect(webAddress.startsWith(subnet.replace(/0\/24$/, ''))).toBe(true);
    expect(await docker('exec', 'cli-main', 'wget', '-q', '-O', '-', `http://${webAddress}:8080/`)).toBe('served-by-berth\n');
    expect(await docker('run', '--rm', '--network', 'session-net', 'busybox', 'nslookup', 'main')).toMatch(/Name:\s+main/);
    const connectedTwice = await dockerOutcome(['network', 'connect', 'session-net', 'cli-main']);
    expect(connectedTwice.code).toBe(1);
    expect(connectedTwice.stderr).toMatch(/already exists in network session-net/);
    expect(await docker('network', 'disconnect', 'session-net', 'cli-main')).toBe('');
    expect(await docker('exec', 'cli-main', 'cat', '/etc/resolv.conf')).not.toContain('127.0.0.11');
    expect((await docker('inspect', '--format', '{{len .NetworkSettings.Networks}}', 'cli-main')).trim()).toBe('1');
    const inUse = await dockerOutcome(['network', 'rm', 'session-net']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/has active endpoints/);
    await docker('rm', '-f', 'session-web');
    expect(await docker('network', 'rm', 'session-net')).toBe('session-net\n');
    expect(await docker('network', 'ls', '-q', '--filter', 'name=session-net')).toBe('');
  });

  it('volumes: create, ls, inspect, in use, rm, prune', async () => {
    expect(await docker('volume', 'create', '--label', 'session=yes', 'session-vol')).toBe('session-vol\n');
    expect(await docker('run', '--rm', '-v', 'session-vol:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f')).toBe('');
    expect(await docker('run', '--rm', '-v', 'session-vol:/data:ro', 'busybox', 'cat', '/data/f')).toBe('kept\n');
    expect((await docker('volume', 'ls', '--filter', 'label=session=yes', '--format', '{{.Name}} {{.Driver}}')).trim()).toBe('session-vol local');
    expect((await docker('volume', 'inspect', '--format', '{{.Name}} {{.Driver}} {{.Scope}} {{index .Labels "session"}}', 'session-vol')).trim()).toBe('session-vol local local yes');
    await docker('run', '-d', '--name', 'session-vol-user', '-v', 'session-vol:/data', 'busybox', 'sleep', '1000');
    expect((await docker('ps', '--filter', 'volume=session-vol', '--format', '{{.Names}} {{.Mounts}}')).trim()).toBe('session-vol-user session-vol');
    const inUse = await dockerOutcome(['volume', 'rm', 'session-vol']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/volume is in use/);
    await docker('rm', '-f', 'session-vol-user');
    // An anonymous volume is what `prune` removes by default; named ones need --all.
    await docker('run', '--name', 'session-anon', '-v', '/anon', 'busybox', 'true');
    const anonymous = (await docker('inspect', '--format', '{{range .Mounts}}{{.Name}}{{end}}', 'session-anon')).trim();
    expect(anonymous).toMatch(/^[0-9a-f]{64}$/);
    await docker('rm', 'session-anon');
    expect((await docker('volume', 'ls', '--filter', 'dangling=true', '-q')).trim().split('\n').sort()).toEqual([anonymous, 'session-vol'].sort());
    const pruned = await docker('volume', 'prune', '-f');
    expect(pruned).toContain(anonymous);
    expect(pruned).not.toContain('session-vol');
    expect(pruned).toMatch(/Total reclaimed space: /);
    expect(await docker('volume', 'rm', 'session-vol')).toBe('session-vol\n');
    expect(await docker('volume', 'ls', '-q')).toBe('');
  });

  it('inspect of every object type', async () => {
    await docker('network', 'create', '--subnet', bridge.subnet(8), 'session-inspect-net');
    await docker('volume', 'create', 'session-inspect-vol');
    const objects = JSON.parse(await docker('inspect', 'cli-main', 'busybox', 'session-inspect-net', 'session-inspect-vol')) as Array<Record<string, unknown>>;
    expect(objects).toHaveLength(4);
    expect(objects[0]).toMatchObject({ Name: '/cli-main', State: { Status: 'running', Running: true }, Config: { Image: 'busybox' } });
    expect(objects[1]).toMatchObject({ RepoTags: expect.arrayContaining(['busybox:latest']), Os: 'linux' });
    expect(objects[2]).toMatchObject({ Name: 'session-inspect-net', Driver: 'bridge', IPAM: { Config: [{ Subnet: bridge.subnet(8) }] } });
    expect(objects[3]).toMatchObject({ Name: 'session-inspect-vol', Driver: 'local', Mountpoint: expect.stringMatching(/session-inspect-vol/) });
    expect((await docker('container', 'inspect', '-f', '{{.State.Pid}}', 'cli-main')).trim()).toMatch(/^[1-9]\d*$/);
    expect((await docker('inspect', '--type', 'image', '-f', '{{.Architecture}}', 'busybox')).trim()).toBe(process.arch === 'arm64' ? 'arm64' : 'amd64');
    expect((await docker('inspect', '--type', 'network', '-f', '{{.Name}}', 'bridge')).trim()).toBe('bridge');
    expect((await docker('inspect', '--type', 'volume', '-f', '{{.Name}}', 'session-inspect-vol')).trim()).toBe('session-inspect-vol');
    const wrongType = await dockerOutcome(['inspect', '--type', 'volume', 'cli-main']);
    expect(wrongType.code).toBe(1);
    expect(wrongType.stderr).toMatch(/get cli-main: no such volume/);
    const unknown = await dockerOutcome(['inspect', 'session-no-such-object']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No such object: session-no-such-object/);
    // Exec instances have no CLI command: the API's exec inspect, through the socket.
    const created = await api('POST', '/v1.47/containers/cli-main/exec', { Cmd: ['sh', '-c', 'exit 9'] });
    expect(created.status).toBe(201);
    expect((await api('POST', `/v1.47/exec/${created.body.Id}/start`, { Detach: true })).status).toBe(200);
    let exec: any;
    expect(await eventually(async () => {
      exec = (await getJson(`/v1.47/exec/${created.body.Id}/json`)).body;
      return exec.Running === false && exec.ExitCode !== null;
    })).toBe(true);
    expect(exec).toMatchObject({ ID: created.body.Id, ExitCode: 9, ProcessConfig: { entrypoint: 'sh', arguments: ['-c', 'exit 9'] } });
    expect(exec.ContainerID).toBe((await docker('inspect', '-f', '{{.Id}}', 'cli-main')).trim());
    await docker('network', 'rm', 'session-inspect-net');
    await docker('volume', 'rm', 'session-inspect-vol');
  });

  it('events with --since/--until and filters, system df', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const id = (await docker('run', '-d', '--name', 'session-events', 'busybox', 'true')).trim();
    expect((await docker('wait', id)).trim()).toBe('0');
    await docker('rm', id);
    const until = Math.floor(Date.now() / 1000) + 1;
    // `die` is recorded just after the exit that ends `wait`: read the window until it is there.
    let actions: string[] = [];
    await eventually(async () => {
      const out = await docker('events', '--since', String(since), '--until', String(until), '--filter', 'container=session-events', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}');
      actions = out.trim().split('\n');
      return actions.includes('container destroy session-events');
    });
    expect(actions.filter((line) => /^container (create|start|die|destroy) /.test(line))).toEqual([
      'container create session-events',
      'container start session-events',
      'container die session-events',
      'container destroy session-events',
    ]);
    const typed = await docker('events', '--since', String(since), '--until', String(until), '--filter', 'type=network', '--filter', 'event=connect', '--format', '{{json .}}');
    const connect = typed.trim().split('\n').map((line) => JSON.parse(line) as { Type: string; Action: string; Actor: { Attributes: Record<string, string> } });
    expect(connect.length).toBeGreaterThan(0);
    expect(connect.every((event) => event.Type === 'network' && event.Action === 'connect')).toBe(true);
    const df = await docker('system', 'df');
    expect(df).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE\nImages\s+\d+\s+\d+\s+/);
    expect(df).toMatch(/\nContainers\s+1\s+1\s+/);
    expect(df).toMatch(/\nLocal Volumes\s+\d+/);
    const verbose = await docker('system', 'df', '-v');
    expect(verbose).toMatch(/cli-main/);
  });

  it('attach, then detach with ctrl-p ctrl-q: the container keeps running', async () => {
    await docker('run', '-dit', '--name', 'session-attach', 'busybox', 'sh');
    const session = onPty(['attach', 'session-attach']);
    session.write('echo "attached $((6 * 7))"\r');
    await session.waitFor(/attached 42/);
    session.write('\x10\x11');
    // As with dockerd: the CLI reports the detach as "read escape sequence" and exits 1.
    expect(await session.exit).toBe(1);
    session.child.stdin!.end();
    expect(session.output()).toMatch(/read escape sequence/);
    expect((await docker('inspect', '--format', '{{.State.Status}}', 'session-attach')).trim()).toBe('running');
    // Custom detach keys, and the container's output is still there for the next attach.
    const again = onPty(['attach', '--detach-keys', 'ctrl-x,x', 'session-attach']);
    again.write('echo "second $((1 + 1))"\r');
    await again.waitFor(/second 2/);
    again.write('\x18x');
    expect(await again.exit).toBe(1);
    again.child.stdin!.end();
    expect((await docker('inspect', '--format', '{{.State.Status}}', 'session-attach')).trim()).toBe('running');
    expect(await docker('logs', 'session-attach')).toMatch(/attached 42[\s\S]*second 2/);
    expect(await docker('rm', '-f', 'session-attach', 'cli-main')).toBe('session-attach\ncli-main\n');
    expect(await docker('ps', '-aq')).toBe('');
  });

  it('system prune removes what is unused, build cache included', async () => {
    await docker('run', '--name', 'session-stopped', 'busybox', 'true');
    const pruned = await docker('system', 'prune', '-af', '--volumes');
    expect(pruned).toContain('Deleted Containers:');
    expect(pruned).toContain('untagged: busybox:latest');
    expect(pruned).toMatch(/Total reclaimed space: /);
    expect(await docker('ps', '-aq')).toBe('');
    expect(await docker('images', '-q')).toBe('');
  });
});
