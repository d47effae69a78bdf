/**
 * An engine cannot hide a deletion by not writing it: a run the query API stops showing,
 * with no delete line, counts as removed for DEPLOY-UPDATE-01 and DEPLOY-BACKLOG-02.
 * Method: hand-made traces of a Late auto-scheduled run that is read back gone after a
 * deployment update, with and without the engine's delete line.
 */
import { describe, expect, it } from 'vitest';
import { runAttributes, TraceBuilder } from './trace-builder.ts';
import { expectViolated, judge } from './verdicts.ts';

function lateRunUpdated(options: { announced: boolean }) {
  const trace = new TraceBuilder();
  trace.meta();
  trace.request('deploy', 'op-1', { args: { deployment: 'd1' }, answer: { ok: true, created: true } });
  trace.transition('run', 'd1@0', null, 'SCHEDULED', { attributes: runAttributes({ deploymentId: 'd1', autoScheduled: true, slotMs: 0 }) });
  trace.observe('run', 'd1@0', 'SCHEDULED');
  trace.atTime(20_000).afterWall(10).move('run', 'd1@0', 'SCHEDULED/Late');
  trace.observe('run', 'd1@0', 'SCHEDULED/Late');
  trace.afterWall(10).step(0, 'begin', { deploy: { deployment: 'd1' } });
  if (options.announced) trace.del('run', 'd1@0', 'deployment-update', { deploymentId: 'd1' });
  trace.request('deploy', 'op-2', { args: { deployment: 'd1' }, answer: { ok: true, created: false } });
  trace.afterWall(20).observe('run', 'd1@0', null);
  trace.afterWall(10).teardown();
  trace.end();
  return trace.build();
}

describe('runs that vanish from the query API', () => {
  it('DEPLOY-UPDATE-01 is violated by a Late run read back gone with no delete line', () => {
    const violation = expectViolated(lateRunUpdated({ announced: false }), 'DEPLOY-UPDATE-01', { entity: 'd1@0' });
    expect(violation.message).toContain('no deletion recorded');
  });

  it('DEPLOY-UPDATE-01 names the update when the engine recorded the delete', () => {
    const violation = expectViolated(lateRunUpdated({ announced: true }), 'DEPLOY-UPDATE-01', { entity: 'd1@0' });
    expect(violation.message).toContain('deployment update deleted run d1@0');
  });

  it('DEPLOY-BACKLOG-02 counts the vanished Late run as deleted, not as still waiting', () => {
    const verdict = judge(lateRunUpdated({ announced: false }), 'DEPLOY-BACKLOG-02');
    expect(verdict.valid).toBe(false);
    expect(verdict.violations[0]?.entity).toBe('d1@0');
  });
});
