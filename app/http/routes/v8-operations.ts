import { type RequestHandler, Router } from 'express';
import { cancelOperation } from '../../use-cases/cancel-operation.ts';
import { createOperation } from '../../use-cases/create-operation.ts';
import { getOperation } from '../../use-cases/get-operation.ts';
import { listOperations } from '../../use-cases/list-operations.ts';
import { updatePaymentData } from '../../use-cases/update-payment-data.ts';
import type { AppDeps } from '../app-deps.ts';
import { parseInput } from '../validation.ts';
import { v8Access } from './v8-guard.ts';
import {
  cancelOperationBody,
  createOperationBody,
  getOperationQuery,
  idParams,
  listOperationsQuery,
  paymentDataBody,
} from './v8-schemas.ts';

export function v8OperationRoutes(deps: AppDeps, guard: RequestHandler): Router {
  const router = Router();
  const provider = () => v8Access(deps).credentials().provider;

  router.post('/operations', guard, async (req, res) => {
    const body = parseInput(createOperationBody, req.body);
    res.status(201).json(await createOperation(v8Access(deps).client, body, { defaultProvider: provider() }));
  });

  router.get('/operations', guard, async (req, res) => {
    const query = parseInput(listOperationsQuery, req.query, 'query');
    res.json(
      await listOperations(v8Access(deps).client, query, { defaultProvider: provider(), clock: deps.clock }),
    );
  });

  router.get('/operations/:id', guard, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    const query = parseInput(getOperationQuery, req.query, 'query');
    res.json(await getOperation(v8Access(deps).client, id, query.provider));
  });

  router.post('/operations/:id/cancel', guard, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    const body = parseInput(cancelOperationBody, req.body ?? {});
    res.json(await cancelOperation(v8Access(deps).client, id, body, { defaultProvider: provider() }));
  });

  router.patch('/operations/:id/payment-data', guard, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    const body = parseInput(paymentDataBody, req.body);
    res.json(await updatePaymentData(v8Access(deps).client, id, body.bank));
  });

  return router;
}
