/** `flowconform clauses` and `flowconform bugs`: the inventories, as text or JSON. */
import { clauses } from '../../../spec/clauses/registry.ts';
import { EnginePool } from '../../engine-process/engine-pool.ts';
import { engineFromOption, probeEngine } from '../engine-option.ts';

export function clausesCommand(options: { json?: boolean }): number {
  if (options.json) {
    console.log(JSON.stringify(clauses, null, 2));
    return 0;
  }
  for (const clause of clauses) {
    console.log(`${clause.id}  [${clause.family}]`);
    console.log(`  ${clause.must}`);
    console.log(`  source: ${clause.source}`);
    console.log(`  checked: ${clause.checkedBy}`);
  }
  console.log(`${clauses.length} clauses`);
  return 0;
}

/** The bug profiles an engine offers, read from its handshake (the reference engine's by default). */
export async function bugsCommand(options: { json?: boolean; engine?: string }): Promise<number> {
  const pool = new EnginePool(engineFromOption(options.engine));
  const { name, bugs } = await probeEngine(pool, null).finally(() => pool.close());
  if (options.json) {
    console.log(JSON.stringify(bugs, null, 2));
    return 0;
  }
  for (const profile of bugs) {
    console.log(`${profile.id}  ${profile.title}`);
    console.log(`  upstream: ${profile.upstream}; fixed by ${profile.fixedBy}`);
    console.log(`  code point: ${profile.codePoint}`);
    console.log(`  defect: ${profile.defect}`);
    console.log(`  caught by: ${profile.expectedClauses.join(', ')}`);
  }
  console.log(`${bugs.length} bug profile(s) of engine ${name}`);
  return 0;
}
