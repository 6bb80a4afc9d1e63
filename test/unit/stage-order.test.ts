import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultStageOrder } from '../../app/config/app-config.ts';
import { parseConfigText } from '../../app/config/load-config.ts';
import { decideStageMove, type StageMovePolicy } from '../../app/domain/stage-order.ts';

// Fake Kentro's CLT pipeline 4: entry 20, marginFound 21, noMargin 22, simulated 23, proposal 24,
// paid 25, failed 26; another pipeline 2.
const POLICY: StageMovePolicy = { order: [26, 22, 21, 23, 24, 25], pipelineId: 4 };

describe('decideStageMove: leads only move forward', () => {
  const TABLE: [string, number | undefined, number | undefined, number, true | string][] = [
    ['entry stage (not listed) -> simulated', 20, 4, 23, true],
    ['no stage known -> margin found', undefined, 4, 21, true],
    ['margin found -> simulated', 21, 4, 23, true],
    ['simulated -> proposal', 23, 4, 24, true],
    ['proposal -> paid', 24, 4, 25, true],
    ['failed -> simulated (a rerun that now succeeds)', 26, 4, 23, true],
    ['proposal -> simulated (a rerun)', 24, 4, 23, 'not_forward'],
    ['proposal -> no margin (a rerun refused)', 24, 4, 22, 'not_forward'],
    ['paid -> proposal (a late webhook)', 25, 4, 24, 'not_forward'],
    ['simulated -> failed', 23, 4, 26, 'not_forward'],
    ['already there', 23, 4, 23, 'same_stage'],
    ['target not in the order', 20, 4, 99, 'target_not_ordered'],
    ['lead in another pipeline', 8, 2, 23, 'other_pipeline'],
    ['pipeline unknown: the order decides', 24, undefined, 23, 'not_forward'],
  ];
  for (const [name, stageId, pipelineId, target, want] of TABLE) {
    test(name, () => {
      const d = decideStageMove(POLICY, { stageId, pipelineId }, target);
      if (want === true) assert.deepEqual(d, { move: true });
      else {
        assert.equal(d.move, false);
        assert.equal(!d.move && d.code, want);
        assert.ok(!d.move && d.reason.length > 10, 'a reason for the log');
      }
    });
  }
});

describe('stage order and pipeline settings', () => {
  const BASE = `PORT=6000\nCLIENT_NAME=Empresa\nAPI_TOKEN=${'x'.repeat(32)}\n`;

  test('default order: failed, no margin, margin found, simulated, proposal, paid (those set, once each)', () => {
    assert.deepEqual(defaultStageOrder([26, 22, 21, 23, 24, 25]), [26, 22, 21, 23, 24, 25]);
    assert.deepEqual(defaultStageOrder([undefined, 22, undefined, 23, 22, 25]), [22, 23, 25]);
  });

  test('KENTRO_PIPELINE_IDS and KENTRO_STAGE_ORDER are id lists; bad lists name the key', () => {
    const c = parseConfigText(`${BASE}KENTRO_PIPELINE_IDS= 4, 2\nKENTRO_STAGE_ORDER=20,21,23\n`, 'f');
    assert.deepEqual(c.raw.KENTRO_PIPELINE_IDS, [4, 2]);
    assert.deepEqual(c.raw.KENTRO_STAGE_ORDER, [20, 21, 23]);
    assert.equal(parseConfigText(BASE, 'f').raw.KENTRO_PIPELINE_IDS, undefined);
    for (const bad of ['4;2', '4,,2', '4,4', '0,2', 'funil']) {
      assert.throws(
        () => parseConfigText(`${BASE}KENTRO_PIPELINE_IDS=${bad}\n`, 'f'),
        (e: { issues?: { key: string }[] }) => e.issues?.[0]?.key === 'KENTRO_PIPELINE_IDS',
        bad,
      );
    }
  });
});
