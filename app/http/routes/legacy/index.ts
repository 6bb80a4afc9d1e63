import { Router } from 'express';
import type { AppDeps } from '../../app-deps.ts';
import { cacheRoutes } from './cache.ts';
import { fluxoRoutes, type LegacyFluxoOptions } from './fluxo.ts';
import { operacoesRoutes } from './operacoes.ts';
import { simulacaoRoutes } from './simulacao.ts';
import { type LegacyWhatsappOptions, whatsappRoutes } from './whatsapp.ts';

/**
 * The old PM2 service's routes (docs/LEGACY-CONTRACT.md), same paths, answered in the old envelope.
 * Auth, body parsing, 404 and errors are the app's (app.ts mounts them on LEGACY_PREFIXES).
 */

/** Path prefixes of the old service's bearer-protected routes (its /config/v8 is the console's). */
export const LEGACY_PREFIXES = ['/clt', '/cache', '/v8'];

export type LegacyRoutesOptions = LegacyFluxoOptions & LegacyWhatsappOptions;

export function legacyRoutes(deps: AppDeps, o: LegacyRoutesOptions = {}): Router {
  const router = Router();
  router.use(fluxoRoutes(deps, o));
  router.use(simulacaoRoutes(deps));
  router.use(cacheRoutes(deps));
  router.use(operacoesRoutes(deps));
  router.use(whatsappRoutes(deps, o));
  return router;
}
