import { describe, expect, it } from 'vitest';
import { applyChangeInstructions } from '@berth/docker-api';

describe('applyChangeInstructions', () => {
  it('applies docker commit/import --change instructions over a base config', () => {
    const config = applyChangeInstructions(
      ['CMD ["nginx", "-g", "daemon off;"]', 'ENV A=1 B="two words"\nENV A=3', 'LABEL version=1.0', 'EXPOSE 80 53/udp', 'WORKDIR /srv', 'USER nobody', 'ENTRYPOINT echo hi', 'VOLUME /data'],
      { Env: ['PATH=/bin'], Labels: { keep: 'yes' } },
    );
    expect(config).toEqual({
      Cmd: ['nginx', '-g', 'daemon off;'],
      Env: ['PATH=/bin', 'A=3', 'B=two words'],
      Labels: { keep: 'yes', version: '1.0' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      WorkingDir: '/srv',
      User: 'nobody',
      Entrypoint: ['/bin/sh', '-c', 'echo hi'],
      Volumes: { '/data': {} },
    });
  });

  it('reads the legacy ENV form and refuses other instructions', () => {
    expect(applyChangeInstructions(['ENV GREETING hello world']).Env).toEqual(['GREETING=hello world']);
    expect(() => applyChangeInstructions(['RUN rm -rf /'])).toThrow('RUN is not a valid change command');
    expect(() => applyChangeInstructions(['CMD ["unterminated"'])).toThrow(/invalid JSON array/);
  });
});
