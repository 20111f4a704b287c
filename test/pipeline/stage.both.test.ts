import * as stageModule from '../../src/pipeline/stage';
import type { Stage } from '../../src/pipeline/stage';
import { timeoutStage } from '../../src/pipeline/timeout-stage';
import { breakerStage } from '../../src/pipeline/breaker-stage';

// stage.ts holds one type. Its shape is checked where `npm run typecheck` sees it: a change to
// it fails these assignments.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const shapeHolds: Same<Stage, (thisArg: unknown, args: unknown[]) => unknown> = true;
const stagesReturnStages: [
  Same<ReturnType<typeof timeoutStage>, Stage>,
  Same<ReturnType<typeof breakerStage>, Stage>,
] = [true, true];

describe('pipeline/stage', () => {
  it('holds types only: nothing of it exists at run time', () => {
    expect(Object.keys(stageModule)).toEqual([]);
  });

  it('is the shape every stage factory returns (checked by the type checker)', () => {
    expect([shapeHolds, ...stagesReturnStages]).toEqual([true, true, true]);
  });
});
