/**
 * Goal: the JUnit XML is well formed, escapes what it must, and maps scenarios to
 * testsuites, clause verdicts to testcases (failure for violated, skipped for unknown),
 * an inconclusive run to an error testcase, and a not-applicable scenario to one skipped
 * testcase whose message names what the engine lacks; every testsuite names the engine
 * and the clause families it was checked on. Method: render the fixture suite and check
 * the XML with a small well-formedness checker (itself checked on bad input), element
 * counts and attributes.
 */
import { describe, expect, it } from 'vitest';
import { toJunitXml } from '../../reports/junit.ts';
import { notApplicableResult, partialEngine, suiteFixture } from './fixtures.ts';
import { xmlProblems } from './xml.ts';

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function rootAttributes(xml: string): Record<string, string> {
  const tag = /<testsuites\b([^>]*)>/.exec(xml)?.[1] ?? '';
  return Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]));
}

describe('xmlProblems (the test helper)', () => {
  it('rejects bad nesting, raw < and " in attributes, stray &, and unclosed CDATA', () => {
    expect(xmlProblems('<a><b></a></b>')).not.toEqual([]);
    expect(xmlProblems('<a x="1 < 2"/>')).not.toEqual([]);
    expect(xmlProblems('<a x="say "hi""/>')).not.toEqual([]);
    expect(xmlProblems('<a>fish & chips</a>')).not.toEqual([]);
    expect(xmlProblems('<a><![CDATA[x]]></a><![CDATA[y</a>')).not.toEqual([]);
    expect(xmlProblems('<a><![CDATA[x]]> y ]]></a>')).not.toEqual([]);
    expect(xmlProblems('<?xml version="1.0"?><a x="&lt;&amp;&quot;"><![CDATA[<&">]]>ok &amp; fine</a>')).toEqual([]);
  });
});

describe('toJunitXml', () => {
  const xml = toJunitXml(suiteFixture());

  it('is well formed', () => {
    expect(xml.startsWith('<?xml')).toBe(true);
    expect(xmlProblems(xml)).toEqual([]);
  });

  it('has one testsuite per scenario and one testcase per verdict, plus one for the inconclusive run and one for the not-applicable scenario', () => {
    expect(count(xml, '<testsuite ')).toBe(4);
    expect(count(xml, '<testcase ')).toBe(9);
    expect(count(xml, '<failure ')).toBe(2);
    expect(count(xml, '<error ')).toBe(1);
    expect(count(xml, '<skipped/>')).toBe(1);
    expect(count(xml, '<skipped message=')).toBe(1);
    expect(rootAttributes(xml)).toMatchObject({
      name: 'flowconform run',
      tests: '9',
      failures: '2',
      errors: '1',
      skipped: '2',
    });
  });

  it('skips a not-applicable scenario with a message naming what the engine lacks, and nothing else', () => {
    expect(xml).toMatch(
      /<testcase classname="deploy-update-during-backlog" name="deploy-update-during-backlog \(not applicable\)">\s*<skipped message="not applicable: engine lacks operation deploy, a driven clock, operation advance-clock"\/>\s*<\/testcase>/,
    );
    expect(xml).toMatch(/<testsuite name="deploy-update-during-backlog"[^>]* tests="1" failures="0" errors="0" skipped="1"/);
  });

  it('never fails or errors a not-applicable scenario, even one carrying a violated verdict or an error', () => {
    const suite = suiteFixture();
    const result = notApplicableResult();
    result.error = 'engine lacks what the steps need';
    result.verdicts = [
      { clauseId: 'PROCESS-01', valid: false, violations: [{ clauseId: 'PROCESS-01', message: 'pid 7 alive', seq: 1 }], unknownReasons: [], exercised: 1 },
    ];
    suite.results = [result];
    const only = toJunitXml(suite);
    expect(only).not.toContain('<failure');
    expect(only).not.toContain('<error');
    expect(rootAttributes(only)).toMatchObject({ tests: '1', failures: '0', errors: '0', skipped: '1' });
  });

  it('escapes the skip message', () => {
    const suite = suiteFixture();
    const result = notApplicableResult();
    result.missingCapabilities = ['operation <weird> & "quoted"'];
    suite.results = [result];
    const escaped = toJunitXml(suite);
    expect(xmlProblems(escaped)).toEqual([]);
    expect(escaped).toContain('<skipped message="not applicable: engine lacks operation &lt;weird> &amp; &quot;quoted&quot;"/>');
  });

  it('names the engine, its version and command, and the families checked and not checked, in every testsuite', () => {
    expect(count(xml, '<property name="engine" value="acme-orchestrator"/>')).toBe(4);
    expect(count(xml, '<property name="engineVersion" value="2.3.1"/>')).toBe(4);
    expect(count(xml, '<property name="engineCommand" value="node acme/flowconform-server.mjs --port 0"/>')).toBe(4);
    expect(count(xml, '<property name="checkedFamilies" value="transitions, run-cancel, workflow, process"/>')).toBe(4);
    expect(count(xml, '<property name="uncheckedFamilies" value="deployment, instance, restart"/>')).toBe(4);
  });

  it("uses the suite's engine for a scenario that reached none, and says when no engine was started at all", () => {
    const suite = suiteFixture();
    suite.results[0]!.engine = null;
    expect(count(toJunitXml(suite), '<property name="engine" value="acme-orchestrator"/>')).toBe(4);
    suite.engine = null;
    for (const result of suite.results) result.engine = null;
    const none = toJunitXml(suite);
    expect(xmlProblems(none)).toEqual([]);
    expect(count(none, '<property name="engine" value="not started"/>')).toBe(4);
    expect(count(none, '<property name="checkedFamilies" value="none"/>')).toBe(4);
    expect(none).not.toContain('engineVersion');
  });

  it('names the engine of the scenario when it differs from the suite', () => {
    const suite = suiteFixture();
    suite.results = [notApplicableResult()];
    suite.results[0]!.engine = { ...partialEngine(), name: 'other-engine', checkedFamilies: [] };
    const other = toJunitXml(suite);
    expect(other).toContain('<property name="engine" value="other-engine"/>');
    expect(other).toContain('<property name="checkedFamilies" value="none"/>');
  });

  it('names testcases by clause id and MUST sentence, with the scenario as classname', () => {
    expect(xml).toContain(
      '<testcase classname="cancel-nested-win32" name="RUN-CANCEL-01: A run in CANCELLING MUST reach CANCELLED within cancelBoundMs.">',
    );
    expect(xml).toMatch(/<testsuite name="cancel-nested-win32"[^>]* tests="3" failures="2" errors="0" skipped="0"/);
  });

  it('puts violation messages in failures, escaped in attributes and intact in the body', () => {
    expect(xml).toContain('type="RUN-CANCEL-01"');
    expect(xml).toContain('message="run parent stayed in CANCELLING for 5000 ms > cancelBoundMs 4000 (pid &lt;object> &amp; &quot;quoted&quot;');
    expect(xml).not.toMatch(/message="[^"]*<object/);
    expect(xml).toContain('<![CDATA[run parent stayed in CANCELLING for 5000 ms > cancelBoundMs 4000 (pid <object> & "quoted" ]] > end ]] > again) (seq 30, entity parent)]]>');
    expect(xml).toContain('message="run parent: 7 kill-failed events > killAttemptsMax 3 (seq 32, entity parent)" type="RUN-CANCEL-04"');
  });

  it('marks unknown verdicts skipped with the reason, and an inconclusive run as an error with its reason', () => {
    expect(xml).toMatch(/name="WF-TERMINAL-01: [^"]*">\s*<skipped\/>\s*<system-out><!\[CDATA\[verdict unknown: trace ended before terminateBoundMs\]\]>/);
    expect(xml).toContain(
      '<testcase classname="terminate-archive-failing" name="terminate-archive-failing (inconclusive)">',
    );
    expect(xml).toContain('<error message="engine crashed: exit code 139 during step 2 (terminate)" type="inconclusive">');
  });

  it('keeps no state between calls', () => {
    expect(toJunitXml(suiteFixture())).toBe(xml);
  });
});
