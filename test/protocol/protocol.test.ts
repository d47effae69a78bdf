/**
 * Goal: the engine protocol is one contract, written once (protocol/*.ts) and exported
 * for outsiders (protocol/engine-protocol.schema.json), and every step of the scenario
 * vocabulary reaches an engine through it.
 *
 * Method: compare the committed JSON Schema with a fresh export; parse example lines of
 * docs/engine-protocol.md with the zod schemas; walk the step registry.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { protocolJsonSchemaText, protocolSchemaPath } from '../../protocol/json-schema.ts';
import { EngineLine, Request } from '../../protocol/messages.ts';
import { stepOperationNames } from '../../protocol/operations.ts';
import { stepKinds, stepNames } from '../../scenarios/steps/registry.ts';
import type { Requirement, StepKind } from '../../scenarios/steps/step-kind.ts';

describe('the protocol contract', () => {
  it('the committed JSON Schema is the export of the zod schemas (run `npm run schema` after a change)', async () => {
    expect(await readFile(protocolSchemaPath, 'utf8')).toBe(protocolJsonSchemaText());
  });

  it('reads the example lines of docs/engine-protocol.md, and refuses a reply without `ok`', async () => {
    const page = await readFile(new URL('../../docs/engine-protocol.md', import.meta.url), 'utf8');
    const examples = [...page.matchAll(/`(\{"type":"[a-z]+".*?\})`/g)].map((match) => JSON.parse(match[1]!) as { type: string });
    expect(examples.map((line) => line.type)).toEqual(expect.arrayContaining(['request', 'reply', 'event']));
    for (const line of examples) {
      const schema = line.type === 'request' ? Request : EngineLine;
      expect(schema.safeParse(line).success, JSON.stringify(line)).toBe(true);
    }
    expect(EngineLine.safeParse({ type: 'reply', inReplyTo: 1, result: {} }).success).toBe(false);
    expect(Request.safeParse({ type: 'request', id: 1, op: 'no-such-op', deadlineMs: 10, args: {} }).success).toBe(false);
  });
});

describe('the step registry', () => {
  /** A sample body per step kind, valid for its schema. */
  const samples: Record<string, unknown> = {
    start: { run: 'r1', deployment: 'd1' },
    cancel: { run: 'r1' },
    await: { task: 't1', state: 'COMPLETED' },
    deploy: { deployment: 'd1', intervalMs: 60_000 },
    workers: 'pause',
    advance: { ms: 1 },
    startWorkflow: { workflow: 'w1', tasks: [{ task: 't1' }] },
    terminate: { workflow: 'w1' },
    fault: { inject: 'archive-listener' },
    consumers: { count: 1 },
    burst: { requests: 10, membership: [{ afterRequests: 5, consumers: 2 }] },
    sleep: { ms: 1 },
    drain: {},
    crash: {},
    restart: {},
    pause: {},
    resume: {},
    kill: { run: 'r1' },
  };

  it('has a sample here for every kind, each valid for its schema', () => {
    expect(Object.keys(samples).sort()).toEqual([...stepNames].sort());
    for (const name of stepNames) expect(stepKinds[name].schema.safeParse(samples[name]).success, name).toBe(true);
  });

  it('uses every step operation of the protocol, and only those', () => {
    const used = new Set<string>();
    for (const name of stepNames) {
      const kind = stepKinds[name] as unknown as StepKind<string, never>;
      const requirements: Requirement[] = kind.requires(stepKinds[name].schema.parse(samples[name]) as never);
      for (const requirement of requirements) if (requirement.kind === 'operation') used.add(requirement.name);
    }
    expect([...used].sort()).toEqual([...stepOperationNames].sort());
  });

  it('gives every waiting step a time limit beyond its own timeout', () => {
    const awaitKind = stepKinds.await as unknown as StepKind<string, never>;
    const body = stepKinds.await.schema.parse({ run: 'r1', state: 'RUNNING', timeoutMs: 7_000 });
    expect(awaitKind.timeLimitMs(body as never, 15_000)).toBeGreaterThan(7_000);
    const sleepKind = stepKinds.sleep as unknown as StepKind<string, never>;
    expect(sleepKind.timeLimitMs({ ms: 20_000 } as never, 15_000)).toBeGreaterThan(20_000);
  });
});
