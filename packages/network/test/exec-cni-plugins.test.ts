import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalError, InvalidArgumentError, NotFoundError, UnavailableError } from '@berth/errdefs';
import { createExecCniPlugins, type CniNetworkConfig, type CniResult } from '@berth/network';
import { makeTempDir } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const result: CniResult = {
  cniVersion: '1.0.0',
  interfaces: [{ name: 'br0', mac: '02:00:00:00:00:01' }, { name: 'vethabcd1234' }, { name: 'eth0', mac: '02:42:ac:11:00:02', sandbox: '/run/netns/x' }],
  ips: [{ interface: 2, address: '172.17.0.2/16', gateway: '172.17.0.1' }],
  routes: [{ dst: '0.0.0.0/0', gw: '172.17.0.1' }],
  dns: {},
};

let dir: { path: string; remove: () => Promise<void> };
let bin: string;
let out: string;

/** A fake plugin: saves its environment and stdin under `out/<name>.*`, then runs `body`. */
async function plugin(name: string, body: string, directory = bin): Promise<void> {
  const script = `#!/bin/sh\nenv | grep '^CNI_' | sort > '${out}/${name}.env'\ncat > '${out}/${name}.stdin'\n${body}\n`;
  await writeFile(join(directory, name), script);
  await chmod(join(directory, name), 0o755);
}

async function envOf(name: string): Promise<Record<string, string>> {
  const lines = (await readFile(join(out, `${name}.env`), 'utf8')).trim().split('\n');
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

async function stdinOf(name: string): Promise<unknown> {
  return JSON.parse(await readFile(join(out, `${name}.stdin`), 'utf8')) as unknown;
}

function config(type: string): CniNetworkConfig {
  return { cniVersion: '1.0.0', name: 'testnet', type, bridge: 'br0', ipam: { type: 'static', addresses: [{ address: '172.17.0.2/16' }] } };
}

const attachment = { containerId: 'c0ffee', netns: '/run/netns/x', ifName: 'eth0' };

beforeAll(async () => {
  dir = await makeTempDir('exec-cni-');
  bin = join(dir.path, 'bin');
  out = join(dir.path, 'out');
  await mkdir(bin);
  await mkdir(out);
  await plugin('fakeok', `[ "$CNI_COMMAND" = ADD ] && echo '${JSON.stringify(result)}'\n[ "$CNI_COMMAND" = VERSION ] && echo '{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}'\nexit 0`);
  await plugin('fakeconfig', `echo '{"cniVersion":"1.0.0","code":7,"msg":"bridge name missing","details":"field bridge"}'\nexit 1`);
  await plugin('fakeunknown', `echo '{"cniVersion":"1.0.0","code":3,"msg":"no such container"}'\nexit 1`);
  await plugin('fakeagain', `echo '{"cniVersion":"1.0.0","code":11,"msg":"busy"}'\nexit 1`);
  await plugin('fakegeneric', `echo '{"cniVersion":"1.0.0","code":999,"msg":"failed to create veth"}'\nexit 1`);
  await plugin('fakegarbage', `echo 'this is not json'\nexit 0`);
  await plugin('fakewrongshape', `echo '{"interfaces":"nope"}'\nexit 0`);
  await plugin('fakecrash', `echo 'panic: runtime error' >&2\nexit 2`);
  await plugin('fakeslow', `exec sleep 30`);
});

afterAll(async () => {
  await dir?.remove();
});

describe('CNI plugins run by exec', () => {
  it('runs ADD with the configuration on stdin and CNI_* in the environment, and parses the result', async () => {
    const cni = createExecCniPlugins({ path: [join(dir.path, 'missing'), bin] });
    const got = await cni.add(config('fakeok'), { ...attachment, args: { IgnoreUnknown: '1', MAC: '02:42:ac:11:00:02' } });
    expect(got).toEqual(result);
    expect(await stdinOf('fakeok')).toEqual(config('fakeok'));
    expect(await envOf('fakeok')).toEqual({
      CNI_ARGS: 'IgnoreUnknown=1;MAC=02:42:ac:11:00:02',
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: 'c0ffee',
      CNI_IFNAME: 'eth0',
      CNI_NETNS: '/run/netns/x',
      CNI_PATH: `${join(dir.path, 'missing')}:${bin}`,
    });
  });

  it('sends prevResult to CHECK and DEL, and an empty CNI_NETNS when the namespace is gone', async () => {
    const cni = createExecCniPlugins({ path: [bin] });
    await cni.check(config('fakeok'), attachment, result);
    expect(await stdinOf('fakeok')).toEqual({ ...config('fakeok'), prevResult: result });
    expect((await envOf('fakeok')).CNI_COMMAND).toBe('CHECK');
    await cni.del(config('fakeok'), { ...attachment, netns: '' }, result);
    expect(await stdinOf('fakeok')).toEqual({ ...config('fakeok'), prevResult: result });
    expect(await envOf('fakeok')).toMatchObject({ CNI_COMMAND: 'DEL', CNI_NETNS: '', CNI_ARGS: '' });
    await cni.del(config('fakeok'), attachment);
    expect(await stdinOf('fakeok')).toEqual(config('fakeok'));
  });

  it('asks VERSION without an attachment', async () => {
    const cni = createExecCniPlugins({ path: [bin] });
    expect(await cni.version('fakeok')).toEqual({ cniVersion: '1.0.0', supportedVersions: ['0.4.0', '1.0.0'] });
    const env = await envOf('fakeok');
    expect(env.CNI_COMMAND).toBe('VERSION');
    expect(env).not.toHaveProperty('CNI_CONTAINERID');
  });

  it("maps a plugin's error report to the errdefs error with the plugin's message", async () => {
    const cni = createExecCniPlugins({ path: [bin] });
    const invalid = await cni.add(config('fakeconfig'), attachment).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(InvalidArgumentError);
    expect((invalid as Error).message).toBe('CNI plugin fakeconfig ADD (eth0 of container c0ffee) failed: bridge name missing (field bridge)');
    expect((invalid as InvalidArgumentError).details).toEqual({ cniCode: 7, cniMessage: 'bridge name missing', cniDetails: 'field bridge' });
    await expect(cni.del(config('fakeunknown'), attachment)).rejects.toBeInstanceOf(NotFoundError);
    await expect(cni.add(config('fakeagain'), attachment)).rejects.toBeInstanceOf(UnavailableError);
    const generic = cni.add(config('fakegeneric'), attachment);
    await expect(generic).rejects.toBeInstanceOf(InternalError);
    await expect(generic).rejects.toThrow('failed to create veth');
  });

  it('reports output that is not a CNI result, and a crash with its stderr, as Internal', async () => {
    const cni = createExecCniPlugins({ path: [bin] });
    await expect(cni.add(config('fakegarbage'), attachment)).rejects.toThrow(/fakegarbage ADD .* printed an invalid result: this is not json/);
    await expect(cni.add(config('fakewrongshape'), attachment)).rejects.toBeInstanceOf(InternalError);
    const crash = cni.del(config('fakecrash'), attachment);
    await expect(crash).rejects.toBeInstanceOf(InternalError);
    await expect(crash).rejects.toThrow('exited with code 2: panic: runtime error');
  });

  it('refuses unknown plugins and plugin types that are paths', async () => {
    const cni = createExecCniPlugins({ path: [bin] });
    await expect(cni.add(config('nosuchplugin'), attachment)).rejects.toBeInstanceOf(UnavailableError);
    await expect(cni.add(config('../bin/fakeok'), attachment)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('kills the plugin when the signal aborts', async () => {
    const cni = createExecCniPlugins({ path: [bin] });
    const controller = new AbortController();
    const reason = new Error('stop');
    const pending = cni.add(config('fakeslow'), attachment, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });
});
