/** `flowconform clauses` and `flowconform bugs`: the inventories, as text or JSON. */
import { bugProfiles } from '../../../engine/bugs/profiles.ts';
import { clauses } from '../../../spec/clauses/registry.ts';

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

export function bugsCommand(options: { json?: boolean }): number {
  if (options.json) {
    console.log(JSON.stringify(bugProfiles, null, 2));
    return 0;
  }
  for (const profile of bugProfiles) {
    console.log(`${profile.id}  ${profile.title}`);
    console.log(`  upstream: ${profile.upstream}; fixed by ${profile.fixedBy}`);
    console.log(`  code point: ${profile.codePoint}`);
    console.log(`  defect: ${profile.defect}`);
    console.log(`  caught by: ${profile.expectedClauses.join(', ')}`);
  }
  return 0;
}
