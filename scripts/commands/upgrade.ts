import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { watchdogRunning, watchdogUp } from '../../watchdog/control.ts';
import { ensureVolumeOwner, restoreDataVolume, snapshotDataVolume } from '../lib/archive.ts';
import { CliError } from '../lib/cli-error.ts';
import { listClientPorts, secureClientFiles } from '../lib/client-files.ts';
import { containerName, healthProbe, type OpsContext } from '../lib/context.ts';
import { compose, containerState, run, runInherit } from '../lib/docker.ts';
import { type WaitOutcome, waitHealthy } from '../lib/wait-healthy.ts';
import { defaultBackupDir } from './backup.ts';

export interface UpgradeInput {
  /** An image already on this machine (docker load / built elsewhere); default: build the checkout. */
  readonly image?: string | undefined;
}

/** `registry:5000/a/b:tag` -> `registry:5000/a/b`; a ref without tag is its own repository. */
export function imageRepository(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(0, colon) : ref;
}

export async function imageId(ref: string): Promise<string | undefined> {
  const r = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', ref]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

async function tag(src: string, dst: string): Promise<void> {
  const r = await run('docker', ['tag', src, dst]);
  if (r.code !== 0) throw new CliError(`docker tag ${src} ${dst} failed: ${r.stderr.trim()}`);
}

const short = (id: string | undefined) => (id ? id.replace(/^sha256:/, '').slice(0, 12) : '-');

async function containerImage(name: string): Promise<string | undefined> {
  const r = await run('docker', ['inspect', '--format', '{{.Image}}', name]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** Recreates the client's containers on `image` and waits for health. */
async function recreateOn(
  ctx: OpsContext,
  port: number,
  image: string,
): Promise<{ w: WaitOutcome; error?: string }> {
  const on = { ...ctx, image };
  const r = await compose(on, port, ['up', '-d', '--no-build', '--force-recreate']);
  if (r.code !== 0) {
    return {
      w: { ok: false, ms: 0, state: 'not created', health: '-' },
      error: `docker compose up failed: ${r.stderr.trim().split('\n').at(-1)}`,
    };
  }
  return { w: await waitHealthy(containerName(ctx, port), ctx.healthTimeoutS, healthProbe(ctx, port)) };
}

async function lastLogLines(ctx: OpsContext, port: number, n: number): Promise<string> {
  const r = await run('docker', ['logs', '--tail', String(n), containerName(ctx, port)]);
  return `${r.stdout}${r.stderr}`.trim();
}

/**
 * `make upgrade [IMAGE=]`: rebuilds the image (or takes IMAGE), keeps the one it replaces as
 * `<repo>:previous`, then recreates the running clients one at a time, each awaited healthy before
 * the next. A client that does not become healthy goes back to its previous image (and, if that
 * image cannot open the data the new one left, to the copy of its data volume taken just before),
 * the image tag points at the previous image again, and the upgrade stops with a non-zero exit.
 */
export async function upgrade(ctx: OpsContext, input: UpgradeInput, out: (l: string) => void): Promise<void> {
  const repo = imageRepository(ctx.image);
  const previousTag = `${repo}:previous`;
  const failedTag = `${repo}:failed`;
  const candidateTag = `${repo}:candidate`;
  const currentId = await imageId(ctx.image);

  let newId: string | undefined;
  if (input.image) {
    newId = await imageId(input.image);
    if (!newId) {
      throw new CliError(`image ${input.image} is not on this machine`, 'docker load it or build it first');
    }
  } else {
    out(`building ${candidateTag}${ctx.baseImage ? ` on ${ctx.baseImage}` : ''}...`);
    const code = await runInherit('docker', [
      'build',
      '-t',
      candidateTag,
      ...(ctx.baseImage ? ['--build-arg', `BASE_IMAGE=${ctx.baseImage}`] : []),
      ctx.repo,
    ]);
    if (code !== 0) throw new CliError(`docker build failed (exit ${code}); nothing was changed`);
    newId = await imageId(candidateTag);
    if (!newId) throw new CliError(`the build left no ${candidateTag}`);
  }
  if (currentId) await tag(currentId, previousTag);
  await tag(newId, ctx.image);
  if (!input.image) await run('docker', ['image', 'rm', candidateTag]);
  out(
    `image ${ctx.image}: ${short(currentId)} -> ${short(newId)}${currentId ? ` (the previous one is kept as ${previousTag})` : ''}`,
  );

  const ports = listClientPorts(ctx);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const snapDir = path.join(defaultBackupDir(ctx), `upgrade-${stamp}`);
  const upgraded: number[] = [];
  const skipped: number[] = [];
  for (const [i, port] of ports.entries()) {
    const name = containerName(ctx, port);
    const st = await containerState(name);
    if (!st.exists || st.state !== 'running') {
      out(
        `client ${port}: ${st.exists ? st.state : 'not started'}; not recreated (it takes the new image at its next make up)`,
      );
      skipped.push(port);
      continue;
    }
    const oldId = await containerImage(name);
    if (!oldId) throw new CliError(`cannot read the image of ${name}`);
    if (oldId === newId) {
      out(`client ${port}: already on ${short(newId)}`);
      continue;
    }
    // Its own previous image stays tagged, so a rollback never depends on an untagged id.
    let rollbackRef = previousTag;
    if (oldId !== currentId) {
      rollbackRef = `${repo}:rollback-${port}`;
      await tag(oldId, rollbackRef);
    }

    // A copy of its data taken stopped (nothing writes), in case the new image changes the store in
    // a way the previous one refuses (a newer schema) and then fails.
    out(`client ${port}: stopping, copying its data volume, recreating on ${short(newId)}...`);
    const stop = await compose(ctx, port, ['stop']);
    if (stop.code !== 0)
      throw new CliError(`client ${port}: docker compose stop failed: ${stop.stderr.trim()}`);
    mkdirSync(snapDir, { recursive: true, mode: 0o700 });
    const snapshot = path.join(snapDir, `${port}-data.tar`);
    try {
      await snapshotDataVolume(ctx, port, oldId, snapshot);
    } catch (err) {
      await compose({ ...ctx, image: rollbackRef }, port, ['up', '-d', '--no-build']);
      throw new CliError(
        `client ${port}: ${(err as Error).message}; upgrade stopped, client left on its image`,
      );
    }

    // Installs from when the service ran as uid 1000 move to its own uid here (the container is stopped).
    secureClientFiles(ctx, port);
    await ensureVolumeOwner(ctx, port, ctx.image);
    const { w, error } = await recreateOn(ctx, port, ctx.image);
    if (w.ok) {
      out(`client ${port}: healthy on the new image after ${(w.ms / 1000).toFixed(1)} s`);
      upgraded.push(port);
      rmSync(snapshot, { force: true });
      continue;
    }

    // Roll this client back and stop.
    const why = error ?? `state ${w.state}, health ${w.health}`;
    const logs = await lastLogLines(ctx, port, 5);
    out(
      `client ${port}: NOT healthy on the new image (${why}); rolling back to ${rollbackRef} (${short(oldId)})...`,
    );
    let rb = await recreateOn(ctx, port, rollbackRef);
    let dataRestored = false;
    if (!rb.w.ok) {
      out(
        `client ${port}: the previous image does not start on the data the new one left; restoring the copy...`,
      );
      await compose(ctx, port, ['stop']);
      await restoreDataVolume(ctx, port, oldId, snapshot);
      dataRestored = true;
      rb = await recreateOn(ctx, port, rollbackRef);
    }
    if (currentId) await tag(currentId, ctx.image);
    await tag(newId, failedTag);
    const rest = ports.slice(i + 1);
    const lines = [
      `upgrade stopped at client ${port}: it did not become healthy on the new image ${short(newId)} (${why}).`,
      ...(logs ? [`  its last log lines:\n${logs.replace(/^/gm, '    ')}`] : []),
      rb.w.ok
        ? `  client ${port} was rolled back to ${rollbackRef} (${short(oldId)})${dataRestored ? ', with its data volume as it was before the upgrade,' : ''} and is healthy again.`
        : `  the rollback of client ${port} FAILED too (state ${rb.w.state}, health ${rb.w.health}); its data before the upgrade is kept in ${snapshot}.`,
      `  upgraded: ${upgraded.join(', ') || 'none'}; not upgraded: ${[...skipped, ...rest].join(', ') || 'none'}.`,
      currentId
        ? `  ${ctx.image} points at the previous image ${short(currentId)} again (make up/restart keep using it); the new one is kept as ${failedTag}.`
        : `  the new image is kept as ${failedTag}.`,
    ];
    if (rb.w.ok) rmSync(snapDir, { recursive: true, force: true });
    throw new CliError(
      lines.join('\n'),
      'fix the image, then run make upgrade again (clients already on it are skipped)',
    );
  }
  rmSync(snapDir, { recursive: true, force: true });
  if (await watchdogRunning(ctx)) {
    await watchdogUp(ctx, () => {});
    out('watchdog: recreated on the new image');
  }
  out(
    `upgrade done: ${upgraded.length} client(s) recreated${upgraded.length ? ` (${upgraded.join(', ')})` : ''}${skipped.length ? `, ${skipped.length} not running (${skipped.join(', ')})` : ''}. Roll back with make upgrade IMAGE=${previousTag}.`,
  );
}
