import { CliError } from '../lib/cli-error.ts';
import type { OpsContext } from '../lib/context.ts';
import { imageExists, runInherit } from '../lib/docker.ts';

export async function buildImage(ctx: OpsContext, out: (line: string) => void): Promise<void> {
  out(`building ${ctx.image}${ctx.baseImage ? ` on ${ctx.baseImage}` : ''}...`);
  const args = [
    'build',
    '-t',
    ctx.image,
    ...(ctx.baseImage ? ['--build-arg', `BASE_IMAGE=${ctx.baseImage}`] : []),
    ctx.repo,
  ];
  const code = await runInherit('docker', args);
  if (code !== 0) throw new CliError(`docker build failed (exit ${code})`, 'read the build output above');
}

export async function ensureImage(ctx: OpsContext, out: (line: string) => void): Promise<void> {
  if (!(await imageExists(ctx.image))) await buildImage(ctx, out);
}
