import { ExecCreateRequestSchema, ExecStartRequestSchema, execCreateOptionsFromWire, execInspectToWire } from '@berth/docker-api';
import { hijack } from '../http/hijack.js';
import { pumpOutput } from '../http/output-stream.js';
import { queryTerminalSize } from '../http/query.js';
import { sendEmpty, sendJson } from '../http/reply.js';
import { param, readJson } from '../http/request-context.js';
import type { RequestContext } from '../http/request-context.js';
import type { Router } from '../http/router.js';
import { stdinFrom } from './container-routes.js';

/** `POST /containers/{id}/exec`, `/exec/{id}/start`, `/exec/{id}/resize`, `GET /exec/{id}/json`. */
export function addExecRoutes(router: Router): void {
  router
    .add('POST', '/containers/{id}/exec', async (ctx) => {
      const body = await readJson(ctx, ExecCreateRequestSchema);
      const { id } = await ctx.engine.containers.exec(param(ctx, 'id'), execCreateOptionsFromWire(body));
      sendJson(ctx.res, 201, { Id: id });
    })
    .add('POST', '/exec/{id}/start', start)
    .add('POST', '/exec/{id}/resize', async (ctx) => {
      const { height, width } = queryTerminalSize(ctx.query);
      const exec = await ctx.engine.containers.execInspect(param(ctx, 'id'));
      // A not-yet-running exec is a conflict, which the docker CLI retries; engines without resize ignore it.
      if (ctx.engine.containers.execResize && exec.processConfig.tty && height !== undefined && width !== undefined) {
        await ctx.engine.containers.execResize(exec.id, { height, width });
      }
      sendEmpty(ctx.res, 200);
    })
    .add('GET', '/exec/{id}/json', async (ctx) => sendJson(ctx.res, 200, execInspectToWire(await ctx.engine.containers.execInspect(param(ctx, 'id')))));
}

async function start(ctx: RequestContext): Promise<void> {
  const id = param(ctx, 'id');
  const body = await readJson(ctx, ExecStartRequestSchema);
  const exec = await ctx.engine.containers.execInspect(id);
  if (body.Detach) {
    await ctx.engine.containers.execStart(id, { detach: true });
    return sendEmpty(ctx.res, 200);
  }
  const tty = exec.processConfig.tty;
  const stream = hijack(ctx, { tty });
  const stdin = exec.openStdin ? stdinFrom(stream.input, stream.head) : undefined;
  let session: Awaited<ReturnType<typeof ctx.engine.containers.execStart>>;
  try {
    session = await ctx.engine.containers.execStart(id, { signal: ctx.signal, ...(stdin ? { stdin } : {}) });
  } catch (err) {
    // The stream is already hijacked: as dockerd, the reason goes to the client's stdout (the
    // CLI prints it, then reads the exit code, 126, from exec inspect).
    ctx.daemon.logger.debug(`exec ${id}: ${(err as Error).message}`);
    const reason = { stream: 'stdout' as const, data: Buffer.from(`${(err as Error).message}\r\n`), time: new Date() };
    await pumpOutput((async function* () {
      yield reason;
    })(), stream.output as never, tty, ctx.signal).catch(() => undefined);
    stream.end();
    return;
  }
  try {
    await pumpOutput(session.output, stream.output as never, tty, ctx.signal);
    await session.exit.catch(() => undefined);
  } catch (err) {
    ctx.daemon.logger.debug(`exec ${id}: ${(err as Error).message}`);
  } finally {
    stream.end();
  }
}
